// No mail code here: opening this file must not load the analyzer.
function add(a, b) {
  return a + b;
}

module.exports = { add };
