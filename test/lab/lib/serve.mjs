// Test bed servers stop at once on SIGTERM/SIGINT: no graceful drain, keep-alive sockets dropped.
export function exitOnSignals(server, log) {
  const stop = () => {
    log('stopping');
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
