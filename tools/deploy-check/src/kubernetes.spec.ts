import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeObject, kubectl, NAMESPACES, Overlay, OVERLAYS, render, schemaProblems, unknownKeyProblems } from './manifests';
import { projectRuleProblems, RuleContext } from './project-rules';
import { deployableApps, environmentNames, ROOT } from './workspace';

/** The Secret keys the deploy job creates (`--from-literal=KEY=...` in .gitlab-ci.yml). */
function deployJobSecrets(): Record<string, string[]> {
  const pipeline = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');
  return { 'aim-secrets': [...pipeline.matchAll(/--from-literal=([A-Z0-9_]+)=/g)].map((match) => match[1]) };
}

describe('the Kubernetes manifests (k8s/), rendered with kustomize v5', () => {
  let binary: string;
  const rendered = {} as Record<Overlay, KubeObject[]>;
  const context = (overlay: Overlay): RuleContext => ({ apps: deployableApps(), settings: environmentNames(), secrets: deployJobSecrets(), namespace: NAMESPACES[overlay] });

  beforeAll(() => {
    binary = kubectl();
    for (const overlay of OVERLAYS) rendered[overlay] = render(binary, join(ROOT, 'k8s/overlays', overlay));
  }, 180_000);

  it('knows the apps it must deploy', () => {
    expect(deployableApps()).toEqual(['digit-recognition', 'engine', 'face-analyzer', 'face-detection', 'image-processing']);
  });

  it.each(OVERLAYS)('%s: every object validates against the Kubernetes schemas (kubernetes-models)', (overlay) => {
    expect(rendered[overlay].length).toBeGreaterThan(30);
    expect(schemaProblems(rendered[overlay])).toEqual([]);
  });

  it.each(OVERLAYS)('%s: no object carries a key Kubernetes does not know', (overlay) => {
    expect(unknownKeyProblems(rendered[overlay])).toEqual([]);
  }, 60_000);

  it.each(OVERLAYS)('%s: the project rules hold (probes, resources, non-root, pinned images, references, settings, ports)', (overlay) => {
    expect(projectRuleProblems(rendered[overlay], context(overlay))).toEqual([]);
  });

  it('the overlays differ where they should: hosts, tags, replicas, autoscaling', () => {
    const host = (overlay: Overlay) => (rendered[overlay].find((o) => o.kind === 'Ingress')?.spec as { rules: { host: string }[] }).rules[0].host;
    expect(OVERLAYS.map(host)).toEqual(['dev.aim.example.com', 'test.aim.example.com', 'aim.example.com']);
    const engineImage = (overlay: Overlay) => JSON.stringify(rendered[overlay].find((o) => o.kind === 'Deployment' && o.metadata.name === 'engine')).match(/"image":"([^"]+)"/)?.[1];
    expect(OVERLAYS.map(engineImage)).toEqual(['aim-engine:dev', 'aim-engine:test', 'aim-engine:0.1.0']);
    // Engine replicas share one MongoDB store, each named after its pod.
    for (const overlay of OVERLAYS) {
      const engine = rendered[overlay].find((o) => o.kind === 'Deployment' && o.metadata.name === 'engine');
      expect(engine?.spec?.['replicas']).toBeGreaterThanOrEqual(overlay === 'prod' ? 3 : 2);
      expect(JSON.stringify(engine)).toContain('{"name":"STORE_DRIVER","value":"mongo"}');
      expect(JSON.stringify(engine)).toContain('{"name":"ENGINE_REPLICA_ID","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}');
    }
    const services = deployableApps().filter((app) => app !== 'engine');
    for (const app of services) {
      const deployment = rendered.prod.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
      const hpa = rendered.prod.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === app);
      expect({ app, replicas: deployment?.spec?.['replicas'], minReplicas: hpa?.spec?.['minReplicas'] }).toEqual({ app, replicas: 2, minReplicas: 2 });
    }
    for (const app of ['face-detection', 'face-analyzer', 'digit-recognition']) {
      for (const overlay of OVERLAYS) expect(rendered[overlay].some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === app)).toBe(true);
    }
  });

  it('lets only the engine take traffic from outside, and the services talk only to NATS', () => {
    const policies = rendered.prod.filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find((p) => JSON.stringify(p.spec?.['podSelector']) === '{}' && !p.spec?.['ingress'] && !p.spec?.['egress']);
    expect(deny?.spec?.['policyTypes']).toEqual(['Ingress', 'Egress']);
    const fromOutside = policies.filter((p) => JSON.stringify(p.spec?.['ingress'] ?? []).includes('namespaceSelector'));
    expect(fromOutside.map((p) => p.metadata.name)).toEqual(['engine']);
    const services = policies.find((p) => p.metadata.name === 'services');
    expect(services?.spec?.['ingress']).toBeUndefined();
    expect(services?.spec?.['egress']).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }], ports: [{ protocol: 'TCP', port: 4222 }] }]);
  });

  describe('the checks catch what they are for', () => {
    const mutated = (change: (objects: KubeObject[]) => void) => {
      const copy = JSON.parse(JSON.stringify(rendered.prod)) as KubeObject[];
      change(copy);
      return copy;
    };
    const engine = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'engine') as KubeObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };

    it('a misspelt key deep in a pod spec', () => {
      const objects = mutated((o) => (engine(o).spec.template.spec.containers[0]['readinesProbe'] = { httpGet: { path: '/', port: 80 } }));
      expect(unknownKeyProblems(objects).join('\n')).toMatch(/Deployment\/engine: .*readinesProbe/);
    }, 60_000);

    it('a wrong type (replicas as text)', () => {
      const objects = mutated((o) => (engine(o).spec['replicas' as never] = 'two' as never));
      expect(schemaProblems(objects)).toEqual([expect.stringMatching(/Deployment\/engine: .*replicas must be integer/)]);
    });

    it('a container without probes or limits, as root, on latest, with a setting no app reads', () => {
      const objects = mutated((o) => {
        const [container] = engine(o).spec.template.spec.containers;
        delete container['livenessProbe'];
        delete (container['resources'] as { limits?: unknown }).limits;
        container['image'] = 'aim-engine:latest';
        (container['env'] as unknown[]).push({ name: 'DATABASE_URL', value: 'x' });
        container['securityContext'] = {};
        engine(o).spec.template.spec['securityContext' as never] = {} as never;
      });
      const problems = projectRuleProblems(objects, context('prod')).join('\n');
      for (const expected of ['no livenessProbe', 'no cpu in resources.limits', 'may run as root', 'tagged latest', 'DATABASE_URL, which the app does not read', 'writable root filesystem']) {
        expect(problems).toContain(expected);
      }
    });

    it('an autoscaler, a budget or a Service that points at nothing', () => {
      const specOf = (objects: KubeObject[], kind: string, name?: string) => {
        const spec = objects.find((x) => x.kind === kind && (!name || x.metadata.name === name))?.spec;
        if (!spec) throw new Error(`no ${kind} to change`);
        return spec;
      };
      const objects = mutated((o) => {
        specOf(o, 'HorizontalPodAutoscaler')['scaleTargetRef'] = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'face-detectoin' };
        specOf(o, 'PodDisruptionBudget')['selector'] = { matchLabels: { 'app.kubernetes.io/name': 'nobody' } };
        specOf(o, 'Service', 'engine')['ports'] = [{ name: 'http', port: 80, targetPort: 'web' }];
      });
      const problems = projectRuleProblems(objects, context('prod')).join('\n');
      expect(problems).toContain('scales Deployment/face-detectoin');
      expect(problems).toContain('selects the pods of no Deployment');
      expect(problems).toContain('Service/engine port http targets web');
    });
  });
});
