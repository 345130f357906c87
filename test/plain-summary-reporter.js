// Prints the plain closing line "N passed, N failed" (", N skipped") after jest's own summary, so
// tools that read a run's last line (CI here) know how many tests ran.
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // at exit, so it comes after jest's own summary lines
    process.once('exit', () => process.stdout.write(`${line}\n`));
  }
}
module.exports = PlainSummaryReporter;
