// Decision tests (`policyc test`): a YAML file of calls and expected outcomes, run against a
// compiled policy with the real enforcer and limiter on a simulated clock.

export { readTestSuite, OUTCOMES, type TestCase, type TestOutcome, type TestSuite, type RuleReference } from './cases.js';
export { checkSuite, runSuite, ANONYMOUS, type PolicyUnderTest, type SuiteResult, type CaseResult, type CallResult, type Coverage } from './run.js';
export { renderPretty, renderJson, resultLines, tally, uncoveredCount } from './report.js';
