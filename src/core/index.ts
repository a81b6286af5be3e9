/** Public API of the core (no `vscode` imports anywhere below this folder). */
export * from './model';
export { Analyzer, DEFAULT_MAX_FILE_SIZE, mentionsWatchedPackage, type AnalyzerOptions, type ScanOptions, type ScanProgress } from './analyzer';
export { detectors, watchedPackages } from './detectors';
export { EnvIndex, DEFAULT_ENV_FILES } from './env';
export { AnalysisSkipped, planIsolated, TOO_DEEP } from './isolate';
export { classifyHost, severityFor, SMTP_BASIC_AUTH_OFF } from './hosts';
export { FIXABLE_LIBRARIES, type FixContext, type FixPlan } from './fixes';
export { planFixes, hasFixPlanner } from './fix-guard';
export { applyEdits, applyChanges, overlayReader, unifiedDiff } from './fixes/apply';
export { ruleInfo, allRules, DOCS_BASE } from './report/rules';
export { setupScript, setupMarkdown } from './setup';
export { verify, formatReportText, STEP_TITLES } from './verify';
export { verifyGraph } from './verify/graph';
