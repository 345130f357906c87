/**
 * The architecture of slo-engine, as rules `npm run lint` enforces (dependency-cruiser).
 * docs/architecture.md explains the rooms; this file is the law. Rooms, top to bottom:
 *
 *   app shell   src/main.ts, create-app.ts, app.module.ts, core.module.ts, lifecycle.ts, cli.ts
 *   cycle       src/cycle: the evaluation cycle composed from the rooms below, the scheduler
 *   surfaces    src/health, src/metrics, src/web, src/cli, src/admin
 *   incidents   src/incidents: incidents of pages and their postmortems (implements alerting's and policies' ports)
 *   policies    src/policies: the deploy gate, freezes, overrides, audit
 *   alerting    src/alerting: decides what fires and who is told (records into the outbox)
 *   notifiers   src/notifiers: delivers what was recorded (drivers, delivery worker, heartbeat)
 *   sources     src/sources: the metrics-source adapters (event store + ingest, Prometheus)
 *   slo         src/slo: budget math, the evaluation, the budget read model, and their ports
 *   store       src/store: memory and Redis adapters of every port (wired by app.module only)
 *   kernel      src/common, src/config, src/auth
 *
 * A room may import rooms below it; adapters (store, sources) import the ports they implement.
 * Type-only imports count: a type is a dependency too.
 */
const ROOM = (name) => `^src/${name}/`;
const DOMAIN = '^src/[^/]+/domain/';
/** Pure helpers of the kernel that domain code may use. */
const PURE_KERNEL = '^src/(common/(duration|format-percent)|config/app-config)[.]ts$';
/** The message contract between alerting and the notifiers (types and one constant, no imports of its own but config types). */
const MESSAGE_CONTRACT = '^src/notifiers/ports/notification-message[.]ts$';
const SHELL = '^src/(main|create-app|app[.]module|core[.]module|lifecycle|cli)[.]ts$';

/** `from` room may not import any of `to` rooms. */
const below = (from, to, comment) => ({
  name: `${from}-not-to-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: ROOM(from) },
  to: { path: `^src/(${to.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No file reaches itself through its imports (a cycle makes two rooms one).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'Domain folders hold plain functions: they import only other domain code, pure kernel helpers, config types and the message contract.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { pathNot: [DOMAIN, PURE_KERNEL, MESSAGE_CONTRACT, '^node_modules/luxon/'] },
    },
    {
      name: 'domain-imports-no-package',
      comment:
        'Domain code imports no framework, Redis or HTTP client, and no Node.js module. One exception: Luxon, a pure date library (no I/O), so that calendar periods use the IANA time-zone rules instead of hand-written offsets (SPEC §4).',
      severity: 'error',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'], pathNot: '^node_modules/luxon/' },
    },
    {
      name: 'only-the-app-wires-the-store',
      comment: 'Services depend on ports; the memory and Redis adapters in src/store are wired by app.module only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/store/', '^src/app[.]module[.]ts$'] },
      to: { path: ROOM('store') },
    },
    {
      name: 'nothing-imports-the-shell',
      comment: 'The app shell composes the rooms; no room imports it.',
      severity: 'error',
      from: { pathNot: SHELL },
      to: { path: SHELL },
    },
    {
      name: 'admin-is-a-surface',
      comment: 'The admin state endpoints operate the whole state; only the shell wires them.',
      severity: 'error',
      from: { pathNot: [SHELL, ROOM('admin')] },
      to: { path: ROOM('admin') },
    },
    {
      name: 'cycle-is-app-level',
      comment: 'The evaluation cycle and the scheduler are composed at the app level: only the shell and the surfaces that report on it (health, metrics) import src/cycle.',
      severity: 'error',
      from: { pathNot: [SHELL, ROOM('cycle'), ROOM('health'), ROOM('metrics')] },
      to: { path: ROOM('cycle') },
    },
    {
      name: 'alerting-uses-notifier-ports-only',
      comment: 'Alerting records what to send through the notifiers\' ports; it never reaches into delivery or drivers.',
      severity: 'error',
      from: { path: ROOM('alerting') },
      to: { path: ROOM('notifiers'), pathNot: ['^src/notifiers/ports/', '^src/notifiers/notifiers[.]module[.]ts$'] },
    },
    {
      name: 'policies-use-notifier-ports-only',
      comment: 'The deploy gate hands change events to the notifiers\' port.',
      severity: 'error',
      from: { path: ROOM('policies') },
      to: { path: ROOM('notifiers'), pathNot: ['^src/notifiers/ports/', '^src/notifiers/notifiers[.]module[.]ts$'] },
    },
    {
      name: 'slo-uses-source-ports-only',
      comment: 'The evaluation reads counts through the MetricsSource port it declares; it never imports a source.',
      severity: 'error',
      from: { path: ROOM('slo') },
      to: { path: ROOM('sources') },
    },
    below('slo', ['alerting', 'notifiers', 'policies', 'incidents', 'sources', 'cycle', 'health', 'metrics', 'web', 'cli'], 'The budget math and evaluation know nothing of who reads or acts on them.'),
    below('sources', ['alerting', 'notifiers', 'policies', 'incidents', 'cycle', 'health', 'metrics', 'web', 'cli'], 'Sources are adapters of the evaluation: they know SLOs and counts, nothing above.'),
    below('notifiers', ['alerting', 'policies', 'incidents', 'sources', 'cycle', 'health', 'metrics', 'web', 'cli'], 'The notifiers deliver messages; they know nothing of alert rules or the gate.'),
    below('alerting', ['policies', 'incidents', 'sources', 'cycle', 'health', 'metrics', 'web', 'cli'], 'Alerting decides from evaluations; it does not know the gate or the sources.'),
    below('policies', ['alerting', 'incidents', 'sources', 'cycle', 'health', 'metrics', 'web', 'cli'], 'The gate reads budgets, not alerts or sources; overdue postmortems come through its port.'),
    below('incidents', ['sources', 'cycle', 'health', 'metrics', 'web', 'cli'], 'Incidents follow committed alerts and read the metrics through the evaluation; they implement the ports alerting and policies declare.'),
    below('common', ['config', 'auth', 'slo', 'sources', 'notifiers', 'alerting', 'policies', 'incidents', 'cycle', 'health', 'metrics', 'web', 'cli'], 'The kernel is the ground floor.'),
    below('config', ['auth', 'slo', 'sources', 'notifiers', 'alerting', 'policies', 'incidents', 'cycle', 'health', 'metrics', 'web', 'cli'], 'Config is read by every room and reads none.'),
    below('auth', ['slo', 'sources', 'notifiers', 'alerting', 'policies', 'incidents', 'cycle', 'health', 'metrics', 'web', 'cli'], 'Auth checks tokens from the config; it knows no capability.'),
    below('web', ['slo', 'sources', 'notifiers', 'alerting', 'policies', 'incidents', 'cycle', 'metrics', 'health', 'cli'], 'The board page is a shell; its data comes from the read API over HTTP.'),
    below('cli', ['slo', 'sources', 'notifiers', 'alerting', 'incidents', 'cycle', 'metrics', 'health', 'web'], 'The CLI talks to the service over HTTP (and reads the config to validate it).'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]spec[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
