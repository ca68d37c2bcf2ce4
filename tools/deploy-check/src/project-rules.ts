import { KubeObject, nameOf } from './manifests';

interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; containers: Container[]; initContainers?: Container[] };
}

export interface RuleContext {
  /** The apps that must be deployed (engine and every service app). */
  apps: string[];
  /** The setting names the apps read (libs/config's Environment). */
  settings: Set<string>;
  /** The keys of the Secret the deploy job creates, by Secret name. */
  secrets: Record<string, string[]>;
  namespace: string;
}

const workloads = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const template = (workload: KubeObject) => (workload.spec as { template: PodTemplate }).template;
const matches = (selector: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Each container of each workload: probes, requests and limits, non-root, locked down, a pinned image. */
function containerRules(objects: KubeObject[]): string[] {
  return workloads(objects).flatMap((workload) => {
    const pod = template(workload).spec;
    return [...pod.containers, ...(pod.initContainers ?? [])].flatMap((container) => {
      const where = `${nameOf(workload)} container ${container.name}`;
      const problems: string[] = [];
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) if (!container[probe]) problems.push(`${where} has no ${probe}`);
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) if (!container.resources?.[kind]?.[resource]) problems.push(`${where} has no ${resource} in resources.${kind}`);
      }
      const security = container.securityContext ?? {};
      if (security.runAsNonRoot !== true && pod.securityContext?.runAsNonRoot !== true) problems.push(`${where} may run as root (runAsNonRoot)`);
      if (pod.securityContext?.runAsUser === 0) problems.push(`${where} runs as uid 0`);
      if (security.allowPrivilegeEscalation !== false) problems.push(`${where} allows privilege escalation`);
      if (security.readOnlyRootFilesystem !== true) problems.push(`${where} has a writable root filesystem`);
      if (!security.capabilities?.drop?.includes('ALL')) problems.push(`${where} keeps its capabilities (drop ALL)`);
      const tag = /^[^@]+:([^:/@]+)$/.exec(container.image)?.[1];
      if (!tag && !container.image.includes('@sha256:')) problems.push(`${where} image ${container.image} has no tag`);
      if (tag === 'latest') problems.push(`${where} image ${container.image} is tagged latest`);
      return problems;
    });
  });
}

/** Every HPA, PDB, Service and Ingress points at something that exists. */
function referenceRules(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const podLabels = workloads(objects).map((w) => ({ workload: w, labels: template(w).metadata?.labels ?? {} }));
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    if (target.kind !== 'Deployment' || !deployments.some((d) => d.metadata.name === target.name)) problems.push(`${nameOf(hpa)} scales ${target.kind}/${target.name}, which is not a Deployment here`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
    if (!deployments.some((d) => matches(selector, template(d).metadata?.labels))) problems.push(`${nameOf(pdb)} selects the pods of no Deployment`);
  }
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const spec = service.spec as { selector?: Record<string, string>; ports: { name?: string; targetPort?: string | number }[] };
    const backends = podLabels.filter(({ labels }) => matches(spec.selector, labels));
    if (!backends.length) {
      problems.push(`${nameOf(service)} selects the pods of no Deployment or StatefulSet`);
      continue;
    }
    for (const port of spec.ports) {
      const named = typeof port.targetPort === 'string' ? port.targetPort : undefined;
      const served = backends.every(({ workload }) => template(workload).spec.containers.some((c) => (c.ports ?? []).some((p) => (named ? p.name === named : p.containerPort === (port.targetPort ?? 0)))));
      if (!served) problems.push(`${nameOf(service)} port ${port.name ?? ''} targets ${String(port.targetPort)}, which its pods do not open`);
    }
  }
  for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
    const rules = (ingress.spec as { rules: { http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] }).rules;
    for (const { backend } of rules.flatMap((rule) => rule.http.paths)) {
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === backend.service.name);
      const ports = (service?.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports ?? [];
      if (!ports.some((p) => (backend.service.port.name ? p.name === backend.service.port.name : p.port === backend.service.port.number))) {
        problems.push(`${nameOf(ingress)} sends traffic to ${backend.service.name}:${backend.service.port.name ?? backend.service.port.number}, which does not exist`);
      }
    }
  }
  return problems;
}

/** Every app is deployed, reads only settings it knows, on the port it listens on, with the secrets the deploy job makes. */
function appRules(objects: KubeObject[], context: RuleContext): string[] {
  const problems: string[] = [];
  const settingsMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('aim-settings'));
  const settings = Object.assign({}, ...settingsMaps.map((map) => map['data'] as Record<string, string>)) as Record<string, string>;
  for (const key of Object.keys(settings)) if (!context.settings.has(key)) problems.push(`ConfigMap aim-settings sets ${key}, which no app reads`);
  for (const app of context.apps) {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
    if (!deployment) {
      problems.push(`app ${app} has no Deployment`);
      continue;
    }
    if (!objects.some((o) => o.kind === 'Service' && o.metadata.name === app)) problems.push(`app ${app} has no Service`);
    const [container] = template(deployment).spec.containers;
    const repository = container.image.split(/[:@]/)[0].split('/').pop();
    if (repository !== app && repository !== `aim-${app}`) problems.push(`Deployment/${app} runs ${container.image}, not the ${app} image`);
    const names = (container.env ?? []).map((variable) => variable.name);
    for (const name of names) if (!context.settings.has(name)) problems.push(`Deployment/${app} sets ${name}, which the app does not read`);
    const port = Number((container.env ?? []).find((variable) => variable.name === 'PORT')?.value ?? settings['PORT']);
    const http = container.ports?.find((p) => p.name === 'http');
    if (!http || http.containerPort !== port) problems.push(`Deployment/${app} opens port ${http?.containerPort} as http, but the app listens on PORT=${port}`);
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef && !objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef?.name)) problems.push(`Deployment/${app} reads ConfigMap ${source.configMapRef.name}, which does not exist`);
    }
  }
  for (const workload of workloads(objects)) {
    for (const container of template(workload).spec.containers) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref && !(context.secrets[ref.name] ?? []).includes(ref.key)) problems.push(`${nameOf(workload)} reads ${ref.name}.${ref.key}, which the deploy job does not create`);
      }
    }
  }
  const nats = /^nats:\/\/([^:/]+):(\d+)$/.exec(settings['NATS_URL'] ?? '');
  const natsService = nats && objects.find((o) => o.kind === 'Service' && o.metadata.name === nats[1]);
  if (!natsService || !(natsService.spec as { ports: { port: number }[] }).ports.some((p) => p.port === Number(nats?.[2]))) problems.push(`NATS_URL ${settings['NATS_URL']} names no Service port here`);
  for (const object of objects) {
    if (object.kind !== 'Namespace' && object.metadata.namespace !== context.namespace) problems.push(`${nameOf(object)} is in namespace ${object.metadata.namespace}, not ${context.namespace}`);
  }
  return problems;
}

/** The project's rules for one rendered overlay; empty when all hold. */
export function projectRuleProblems(objects: KubeObject[], context: RuleContext): string[] {
  return [...containerRules(objects), ...referenceRules(objects), ...appRules(objects, context)];
}
