import * as path from 'node:path';
import { ConfigError } from '../app-config';
import { loadConfigWithExplanations } from '../config.loader';
import { convertOpenSloDocuments } from './convert';
import { formatExplanation } from './explain';
import { openSloSecrets } from './data-sources';
import { removeTempDirs, tempDir } from '../../../test/fixtures/config/helpers';
import { documentsOf, sloYaml } from '../../../test/fixtures/openslo/helpers';

const SECRETS = ['Hunter2-Thanos-Pass', 'tok-8d1f3c2b-SECRET', 'tenant-7f3a-SECRET', 'dd-api-key-1234', 'dd-app-key-5678', 'azure-client-secret-9'];

const dataSources = `apiVersion: openslo/v1
kind: DataSource
metadata: { name: thanos }
spec:
  type: Thanos
  connectionDetails:
    url: https://slo-reader:Hunter2-Thanos-Pass@thanos.example.eu
    token: tok-8d1f3c2b-SECRET
    headers: { X-Scope-OrgID: tenant-7f3a-SECRET }
---
apiVersion: openslo/v1
kind: DataSource
metadata: { name: datadog }
spec:
  type: Datadog
  connectionDetails:
    - apiKey: dd-api-key-1234
    - appKey: dd-app-key-5678
---
apiVersion: openslo/v1
kind: DataSource
metadata: { name: azure }
spec:
  type: AzureMonitor
  connectionDetails: { clientId: app, clientSecret: azure-client-secret-9, url: "not a url azure-client-secret-9" }
`;

afterEach(removeTempDirs);

describe('secrets of OpenSLO DataSource documents', () => {
  it('are collected: values under secret-like keys, and URL credentials', () => {
    const found = documentsOf(dataSources).flatMap((doc) => openSloSecrets(doc.value));
    for (const secret of SECRETS) expect(found).toContain(secret);
    expect(found).not.toContain('thanos');
    expect(found).not.toContain('app');
  });

  it('never appear in conversion warnings or problems, before any scrubbing', () => {
    const result = convertOpenSloDocuments(documentsOf(`${dataSources}---\n${sloYaml({ name: 'Bad_Name' })}`));
    const text = JSON.stringify([result.problems, result.warnings]);
    expect(result.warnings.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('never appear in the loaded config warnings, problems or explanations (scrubbed even when a query repeats one)', () => {
    const slo = sloYaml().replace('http_requests_total[{{.window}}]', 'http_requests_total{tenant="tenant-7f3a-SECRET"}[{{.window}}]');
    const dir = tempDir({ 'ds.yaml': dataSources, 'slo.yaml': slo });
    const { config, explanations } = loadConfigWithExplanations({ path: dir, env: {} });
    expect(config.sources.prometheus?.url).toBe('https://slo-reader:Hunter2-Thanos-Pass@thanos.example.eu');
    expect(explanations).toHaveLength(1);
    const printed = [...config.warnings, ...explanations.map(formatExplanation)].join('\n');
    expect(printed).toContain('tenant="***"');
    for (const secret of SECRETS) expect(printed).not.toContain(secret);

    // a refused query is quoted in its problem: the secret it repeats is scrubbed there too
    const bad = tempDir({ 'ds.yaml': dataSources, 'slo.yaml': slo.replace('sum(increase(http_requests_total{tenant="tenant-7f3a-SECRET"}[{{.window}}]))', 'rate(x{t="tenant-7f3a-SECRET"}[5m])') });
    try {
      loadConfigWithExplanations({ path: bad, env: {} });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual([
        { file: path.join(bad, 'slo.yaml'), path: 'spec.indicator.spec.ratioMetric.total.metricSource.spec.query', message: expect.stringContaining('rate(x{t="***"}[5m])') },
      ]);
      for (const secret of SECRETS) expect(problems[0].message).not.toContain(secret);
    }
  });
});
