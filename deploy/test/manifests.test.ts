// Static checks of the deployment files: the Kubernetes manifests under deploy/k8s, the root
// docker-compose.yml, the nginx, Prometheus and Grafana configuration it mounts, and the
// Grafana dashboard's PromQL. Nothing here needs a cluster or a Docker engine.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const k8sDir = join(root, "deploy/k8s");

// --- Loading -------------------------------------------------------------------------------

type Labels = Record<string, string>;

interface Meta {
  name?: string;
  labels?: Labels;
}

interface Doc {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number };
}

interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] }; sleep?: { seconds?: number } } };
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}

interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
}

interface Deployment extends Doc {
  spec: {
    replicas?: number;
    selector: { matchLabels: Labels };
    template: { metadata: { labels: Labels }; spec: PodSpec };
  };
}

interface Hpa extends Doc {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: unknown[];
  };
}

interface ScaledObject extends Doc {
  spec: {
    scaleTargetRef: { name: string; envSourceContainerName?: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: { type: string; metadata: Record<string, string> }[];
  };
}

interface Pdb extends Doc {
  spec: { selector: { matchLabels: Labels }; minAvailable?: number | string; maxUnavailable?: number | string };
}

interface Service extends Doc {
  spec: { selector: Labels; ports: { name?: string; port: number; targetPort: number | string }[] };
}

interface Ingress extends Doc {
  spec: {
    rules: {
      http: {
        paths: { path: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[];
      };
    }[];
  };
}

interface Located {
  file: string;
  doc: Doc;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    })
    .sort();
}

/** Every document of a YAML file (empty documents dropped); a syntax error fails the test. */
function loadDocuments(file: string): Doc[] {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  const list = Array.isArray(documents) ? documents : [documents];
  const docs: Doc[] = [];
  for (const document of list) {
    expect(document.errors.map((e) => `${relative(root, file)}: ${e.message}`)).toEqual([]);
    const value = document.toJS();
    if (value != null) docs.push(value as Doc);
  }
  return docs;
}

const isKustomization = (doc: Doc) => doc.kind === "Kustomization" || doc.kind === "Component";

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  patches?: { path?: string; patch?: string }[];
  patchesStrategicMerge?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

function loadKustomization(dir: string): Kustomization {
  return loadDocuments(join(dir, "kustomization.yaml"))[0] as Kustomization;
}

/**
 * The objects a kustomization builds before its patches are applied: its resource files, and
 * the resources of any kustomization directory it includes (recursively).
 */
function kustomizeResources(dir: string): Located[] {
  const k = loadKustomization(dir);
  return (k.resources ?? []).flatMap((entry) => {
    const path = resolve(dir, entry);
    // A missing entry fails the on-disk test below rather than the whole file.
    if (!existsSync(path)) return [];
    if (statSync(path).isDirectory()) return kustomizeResources(path);
    return loadDocuments(path).map((doc) => ({ file: relative(root, path), doc }));
  });
}

function patchFiles(dir: string): string[] {
  const k = loadKustomization(dir);
  const paths = [...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])), ...(k.patchesStrategicMerge ?? [])];
  return paths.map((p) => resolve(dir, p));
}

const kustomizationDirs = yamlFiles(k8sDir)
  .filter((f) => f.endsWith("kustomization.yaml"))
  .map((f) => dirname(f));
const baseDir = join(k8sDir, "base");
const productionDir = join(k8sDir, "overlays/production");
const base = kustomizeResources(baseDir).map((l) => l.doc);
const production = kustomizeResources(productionDir).map((l) => l.doc);

const ofKind = <T extends Doc = Doc>(docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind) as T[];
const named = <T extends Doc = Doc>(docs: Doc[], kind: string, name: string) =>
  ofKind<T>(docs, kind).find((d) => d.metadata?.name === name);

const matches = (selector: Labels, labels: Labels) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

function containerPort(container: Container, port: number | string | undefined): boolean {
  if (port === undefined) return false;
  return (container.ports ?? []).some((p) => p.name === port || p.containerPort === port);
}

function envFromConfigMap(container: Container, configMaps: Doc[], name: string): string | undefined {
  const direct = container.env?.find((e) => e.name === name);
  if (direct?.value !== undefined) return direct.value;
  const ref = direct?.valueFrom?.configMapKeyRef;
  if (ref) return named(configMaps, "ConfigMap", ref.name)?.data?.[ref.key];
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef && named(configMaps, "ConfigMap", source.configMapRef.name)?.data;
    if (data && name in data) return data[name];
  }
  return undefined;
}

/** Variable names documented in .env.example (commented or not). */
function envExampleKeys(): Set<string> {
  const text = readFileSync(join(root, ".env.example"), "utf8");
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string));
}

// --- Kubernetes ------------------------------------------------------------------------------

describe("Kubernetes manifests under deploy/k8s", () => {
  const all: Located[] = yamlFiles(k8sDir).flatMap((file) =>
    loadDocuments(file).map((doc) => ({ file: relative(root, file), doc })),
  );

  it("parse as YAML, each file holding at least one document", () => {
    expect(all.length).toBeGreaterThan(10);
    for (const file of yamlFiles(k8sDir)) expect(loadDocuments(file).length, relative(root, file)).toBeGreaterThan(0);
  });

  it("give every document an apiVersion, a kind and a metadata.name", () => {
    for (const { file, doc } of all) {
      expect(doc.apiVersion, file).toEqual(expect.any(String));
      expect(doc.kind, file).toEqual(expect.any(String));
      if (!isKustomization(doc)) expect(doc.metadata?.name, `${file} ${doc.kind}`).toEqual(expect.any(String));
    }
  });

  it("list in every kustomization.yaml only resources and patches that exist on disk", () => {
    expect(kustomizationDirs.map((d) => relative(k8sDir, d)).sort()).toEqual(["base", "overlays/production"]);
    for (const dir of kustomizationDirs) {
      const k = loadKustomization(dir);
      expect(k.kind).toBe("Kustomization");
      expect(k.resources?.length, relative(root, dir)).toBeGreaterThan(0);
      for (const entry of k.resources ?? []) {
        const path = resolve(dir, entry);
        expect(existsSync(path), `${relative(root, dir)}: ${entry}`).toBe(true);
        if (statSync(path).isDirectory()) expect(existsSync(join(path, "kustomization.yaml")), entry).toBe(true);
      }
      for (const path of patchFiles(dir)) expect(existsSync(path), relative(root, path)).toBe(true);
    }
  });

  it("build the expected objects in the base", () => {
    const kinds = base.map((d) => `${d.kind}/${d.metadata?.name}`).sort();
    expect(kinds).toEqual(
      [
        "ConfigMap/llm-chat-config",
        "Deployment/llm-chat-api",
        "Deployment/llm-chat-worker",
        "HorizontalPodAutoscaler/llm-chat-api",
        "Namespace/llm-chat",
        "PodDisruptionBudget/llm-chat-api",
        "PodDisruptionBudget/llm-chat-worker",
        "ScaledObject/llm-chat-worker",
        "Service/llm-chat-api",
      ].sort(),
    );
  });

  it("keep the example Secret out of every kustomization, while the Deployments load it by that name", () => {
    for (const dir of kustomizationDirs) {
      expect(loadKustomization(dir).resources ?? []).not.toContain("secret.example.yaml");
    }
    expect(production.some((d) => d.kind === "Secret")).toBe(false);
    const example = loadDocuments(join(baseDir, "secret.example.yaml"))[0] as Doc;
    expect(example.kind).toBe("Secret");
    expect(Object.keys(example.stringData ?? {}).sort()).toEqual(["JWT_SECRET", "REPLICATE_API_TOKEN"]);
    for (const deployment of ofKind<Deployment>(base, "Deployment")) {
      for (const container of deployment.spec.template.spec.containers) {
        const secrets = (container.envFrom ?? []).flatMap((s) => (s.secretRef ? [s.secretRef.name] : []));
        expect(secrets, `${deployment.metadata?.name}/${container.name}`).toEqual([example.metadata?.name]);
        // The Secret comes last, so its keys (e.g. a REDIS_URL with a password) win.
        expect(container.envFrom?.at(-1)?.secretRef).toBeDefined();
      }
    }
  });

  it("select with each Deployment exactly its own pod template's labels", () => {
    const deployments = ofKind<Deployment>(base, "Deployment");
    expect(deployments.length).toBe(2);
    for (const d of deployments) {
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata?.name).toBe(true);
      for (const other of deployments.filter((o) => o !== d)) {
        expect(matches(d.spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(false);
      }
    }
  });

  it("give every container an image, resource requests and limits, and readiness and liveness probes on ports it declares", () => {
    for (const docs of [base, production]) {
      for (const d of ofKind<Deployment>(docs, "Deployment")) {
        for (const c of d.spec.template.spec.containers) {
          const where = `${d.metadata?.name}/${c.name}`;
          expect(c.image, where).toMatch(/^[a-z0-9.-]+(:\d+)?\/[\w./-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/);
          expect(c.resources?.requests?.cpu, where).toBeDefined();
          expect(c.resources?.requests?.memory, where).toBeDefined();
          expect(c.resources?.limits?.memory, where).toBeDefined();
          for (const probe of ["readinessProbe", "livenessProbe"] as const) {
            expect(c[probe], `${where} ${probe}`).toBeDefined();
          }
          for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
            if (!probe) continue;
            const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
            expect(containerPort(c, port), `${where} probe port ${port}`).toBe(true);
          }
        }
      }
    }
  });

  it("probe the API on /readyz and /healthz and the worker on its metrics port 9464", () => {
    const api = named<Deployment>(base, "Deployment", "llm-chat-api")?.spec.template.spec.containers[0];
    const worker = named<Deployment>(base, "Deployment", "llm-chat-worker")?.spec.template.spec.containers[0];
    expect(api?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(api?.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(worker?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(worker?.livenessProbe?.httpGet?.path).toBe("/healthz");
    const workerPort = worker?.ports?.find((p) => p.name === worker.readinessProbe?.httpGet?.port)?.containerPort;
    expect(workerPort).toBe(9464);
    expect(envFromConfigMap(worker as Container, base, "WORKER_METRICS_PORT")).toBe("9464");
  });

  it("open the API's metrics on a port of their own, on the pod's address, and off the Service", () => {
    const api = named<Deployment>(base, "Deployment", "llm-chat-api")?.spec.template as {
      metadata?: { annotations?: Record<string, string> };
      spec: { containers: Container[] };
    };
    const container = api.spec.containers[0] as Container;
    const metricsPort = container.ports?.find((p) => p.name === "metrics")?.containerPort;
    expect(metricsPort).toBe(9465);
    expect(envFromConfigMap(container, base, "API_METRICS_PORT")).toBe("9465");
    expect(envFromConfigMap(container, base, "API_METRICS_HOST")).toBe("0.0.0.0");
    expect(api.metadata?.annotations?.["prometheus.io/port"]).toBe("9465");
    const service = named<Service>(base, "Service", "llm-chat-api");
    expect(service?.spec.ports.map((p) => p.port)).not.toContain(9465);
  });

  it("run every pod as a numeric non-root user with a read-only root filesystem and no capabilities", () => {
    for (const d of ofKind<Deployment>(base, "Deployment")) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot, d.metadata?.name).toBe(true);
      // The images say `USER node`: the kubelet can only verify runAsNonRoot against a number.
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toContain("ALL");
      }
    }
  });

  it("configure the API to listen on all interfaces behind one trusted proxy", () => {
    const api = named<Deployment>(base, "Deployment", "llm-chat-api")?.spec.template.spec.containers[0] as Container;
    expect(envFromConfigMap(api, base, "API_HOST")).toBe("0.0.0.0");
    expect(envFromConfigMap(api, base, "TRUST_PROXY_HOPS")).toBe("1");
  });

  it("give the workers at least 30 s to shut down and the API a preStop pause inside its grace period", () => {
    const worker = named<Deployment>(base, "Deployment", "llm-chat-worker")?.spec.template.spec;
    const api = named<Deployment>(base, "Deployment", "llm-chat-api")?.spec.template.spec;
    const workerEnv = worker?.containers[0] as Container;
    const shutdownMs = Number(envFromConfigMap(workerEnv, base, "WORKER_SHUTDOWN_TIMEOUT_MS") ?? 25_000);
    // The worker's bound plus the 5 s it gives itself to close connections.
    expect(worker?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(worker?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(shutdownMs / 1000 + 5);
    const preStop = api?.containers[0]?.lifecycle?.preStop;
    const pause = preStop?.sleep?.seconds ?? Number(preStop?.exec?.command?.at(-1));
    expect(pause).toBeGreaterThan(0);
    expect(api?.terminationGracePeriodSeconds).toBe(20);
    expect(pause).toBeLessThan(api?.terminationGracePeriodSeconds ?? 0);
  });

  it("point the HPA at the API Deployment by name, on CPU, with at least two replicas", () => {
    for (const docs of [base, production]) {
      const hpas = ofKind<Hpa>(docs, "HorizontalPodAutoscaler");
      expect(hpas.length).toBe(1);
      const hpa = hpas[0] as Hpa;
      expect(hpa.apiVersion).toBe("autoscaling/v2");
      expect(hpa.spec.scaleTargetRef).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
      expect(named(docs, "Deployment", hpa.spec.scaleTargetRef.name)).toBe(named(docs, "Deployment", "llm-chat-api"));
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual({
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      });
    }
  });

  it("point the ScaledObject at the worker Deployment, scaling on the query wait list under the configured prefix", () => {
    const scaledObjects = ofKind<ScaledObject>(base, "ScaledObject");
    expect(scaledObjects.length).toBe(1);
    const so = scaledObjects[0] as ScaledObject;
    expect(so.apiVersion).toBe("keda.sh/v1alpha1");
    expect(so.spec.scaleTargetRef.name).toBe("llm-chat-worker");
    expect(named(base, "Deployment", so.spec.scaleTargetRef.name)).toBeDefined();
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.maxReplicaCount).toBe(20);
    const prefix = named(base, "ConfigMap", "llm-chat-config")?.data?.QUEUE_PREFIX;
    const redisTriggers = so.spec.triggers.filter((t) => t.type === "redis");
    const wait = redisTriggers.find((t) => t.metadata.listName?.endsWith(":query:wait"));
    expect(wait?.metadata.listName).toBe(`${prefix}:query:wait`);
    expect(Number(wait?.metadata.listLength)).toBeGreaterThan(0);
    const worker = named<Deployment>(base, "Deployment", "llm-chat-worker")?.spec.template.spec.containers.find(
      (c) => c.name === (so.spec.scaleTargetRef.envSourceContainerName ?? c.name),
    ) as Container;
    for (const t of redisTriggers) {
      expect(t.metadata.listName?.startsWith(`${prefix}:query:`)).toBe(true);
      // KEDA resolves addressFromEnv in the target container; the value must be host:port.
      if (t.metadata.addressFromEnv) {
        expect(envFromConfigMap(worker, base, t.metadata.addressFromEnv)).toMatch(/^[\w.-]+:\d+$/);
      } else {
        expect(t.metadata.address ?? t.metadata.host).toBeDefined();
      }
    }
  });

  it("leave the replica count of autoscaled Deployments to their autoscalers", () => {
    for (const docs of [base, production]) {
      const targets = [
        ...ofKind<Hpa>(docs, "HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name),
        ...ofKind<ScaledObject>(docs, "ScaledObject").map((s) => s.spec.scaleTargetRef.name),
      ];
      expect(targets.sort()).toEqual(["llm-chat-api", "llm-chat-worker"]);
      for (const name of targets) expect(named<Deployment>(docs, "Deployment", name)?.spec.replicas).toBeUndefined();
    }
  });

  it("select with every PodDisruptionBudget the pods of an existing Deployment", () => {
    const deployments = ofKind<Deployment>(base, "Deployment");
    const pdbs = ofKind<Pdb>(base, "PodDisruptionBudget");
    expect(pdbs.length).toBe(2);
    const covered = new Set<string>();
    for (const pdb of pdbs) {
      const selected = deployments.filter((d) =>
        matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect(selected.length, pdb.metadata?.name).toBe(1);
      for (const d of selected) covered.add(d.metadata?.name as string);
      expect(pdb.spec.minAvailable ?? pdb.spec.maxUnavailable).toBeDefined();
    }
    expect([...covered].sort()).toEqual(["llm-chat-api", "llm-chat-worker"]);
  });

  it("route Services and Ingresses to existing pods and named ports", () => {
    const deployments = ofKind<Deployment>(production, "Deployment");
    const services = ofKind<Service>(production, "Service");
    for (const service of services) {
      const pods = deployments.filter((d) => matches(service.spec.selector, d.spec.template.metadata.labels));
      expect(pods.length, service.metadata?.name).toBe(1);
      for (const port of service.spec.ports) {
        expect(containerPort(pods[0]?.spec.template.spec.containers[0] as Container, port.targetPort)).toBe(true);
      }
    }
    for (const ingress of ofKind<Ingress>(production, "Ingress")) {
      for (const rule of ingress.spec.rules) {
        for (const path of rule.http.paths) {
          const service = named<Service>(services, "Service", path.backend.service.name);
          expect(service, path.backend.service.name).toBeDefined();
          const port = path.backend.service.port;
          expect(service?.spec.ports.some((p) => p.name === port.name || p.port === port.number)).toBe(true);
          // Metrics stay inside the cluster.
          expect(path.path).not.toBe("/metrics");
        }
      }
    }
  });

  it("keep the ConfigMap to variables documented in .env.example, and no secrets", () => {
    const documented = envExampleKeys();
    // Only for the cluster: the KEDA trigger's address, and the worker's metrics port.
    const clusterOnly = new Set(["KEDA_REDIS_ADDRESS"]);
    for (const docs of [base, production]) {
      const data = named(docs, "ConfigMap", "llm-chat-config")?.data ?? {};
      expect(Object.keys(data).length).toBeGreaterThan(10);
      for (const key of Object.keys(data)) {
        expect(documented.has(key) || clusterOnly.has(key), `${key} is not in .env.example`).toBe(true);
        expect(typeof data[key], key).toBe("string");
      }
      expect(data).not.toHaveProperty("JWT_SECRET");
      expect(data).not.toHaveProperty("REPLICATE_API_TOKEN");
      expect(data.REDIS_URL).toMatch(/^rediss?:\/\//);
      expect(data.MONGO_URL).toMatch(/^mongodb(\+srv)?:\/\//);
    }
  });

  it("patch in the production overlay only objects of its base, and replace both placeholder images", () => {
    const overlay = loadKustomization(productionDir);
    for (const file of patchFiles(productionDir)) {
      for (const patch of loadDocuments(file)) {
        expect(
          named(production, patch.kind as string, patch.metadata?.name as string),
          relative(root, file),
        ).toBeDefined();
      }
    }
    const baseImages = ofKind<Deployment>(base, "Deployment").flatMap((d) =>
      d.spec.template.spec.containers.map((c) => (c.image as string).replace(/[:@][^/]*$/, "")),
    );
    expect((overlay.images ?? []).map((i) => i.name).sort()).toEqual([...baseImages].sort());
    for (const image of overlay.images ?? []) {
      expect(image.newTag ?? image.digest, image.name).toBeDefined();
      expect(image.newTag).not.toBe("latest");
    }
  });
});

// --- docker-compose.yml ----------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  ports?: (string | { published?: string | number })[];
  container_name?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  command?: string | string[];
  stop_grace_period?: string;
}

const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

function environment(service: ComposeService | undefined): Record<string, string> {
  const env = service?.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** Bind-mounted host paths (relative to the compose file) and their container targets. */
function bindMounts(service: ComposeService | undefined): { source: string; target: string }[] {
  return (service?.volumes ?? []).flatMap((v) => {
    if (typeof v === "string") {
      const [source = "", target = ""] = v.split(":");
      return source.startsWith(".") || source.startsWith("/") ? [{ source, target }] : [];
    }
    return v.type === "bind" && v.source ? [{ source: v.source, target: v.target ?? "" }] : [];
  });
}

describe("docker-compose.yml", () => {
  it("names the services api, worker, redis, mongo, nginx, prometheus, grafana and ollama", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["api", "grafana", "mongo", "nginx", "ollama", "prometheus", "redis", "worker"].sort(),
    );
  });

  it("puts prometheus and grafana in the observability profile, ollama in local, and everything else in none", () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === "prometheus" || name === "grafana") expect(service.profiles, name).toEqual(["observability"]);
      else if (name === "ollama") expect(service.profiles, name).toEqual(["local"]);
      else expect(service.profiles, name).toBeUndefined();
    }
  });

  it("publishes host port 3000 on nginx alone, so api and worker can be scaled", () => {
    expect(services.nginx?.image).toMatch(/^nginx:1\.27/);
    expect(services.nginx?.ports).toEqual(["3000:3000"]);
    for (const name of ["api", "worker"]) {
      expect(services[name]?.ports, name).toBeUndefined();
      expect(services[name]?.container_name, name).toBeUndefined();
    }
    for (const name of ["prometheus", "grafana"]) {
      for (const port of services[name]?.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it("starts nginx after the api, and has the api trust exactly that one proxy hop", () => {
    const dependsOn = services.nginx?.depends_on ?? [];
    const deps = Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
    expect(deps).toContain("api");
    expect(environment(services.api).TRUST_PROXY_HOPS).toBe("1");
    expect(environment(services.api).API_HOST).toBe("0.0.0.0");
    expect(environment(services.worker).WORKER_METRICS_PORT).toBe("9464");
    expect(environment(services.api).API_METRICS_PORT).toBe("9465");
    expect(environment(services.api).API_METRICS_HOST).toBe("0.0.0.0");
  });

  it("mounts nginx, Prometheus and Grafana configuration files that exist", () => {
    const expected: Record<string, string[]> = {
      nginx: ["/etc/nginx/nginx.conf"],
      prometheus: ["/etc/prometheus/prometheus.yml"],
      grafana: [
        "/etc/grafana/provisioning/datasources",
        "/etc/grafana/provisioning/dashboards",
        "/etc/grafana/dashboards",
      ],
    };
    for (const [name, targets] of Object.entries(expected)) {
      const mounts = bindMounts(services[name]);
      expect(mounts.map((m) => m.target).sort(), name).toEqual([...targets].sort());
      for (const mount of mounts) expect(existsSync(resolve(root, mount.source)), mount.source).toBe(true);
    }
  });

  it("keeps the existing stores, build contexts and shutdown periods", () => {
    expect(services.redis?.command).toEqual(expect.arrayContaining(["--appendonly", "yes", "noeviction"]));
    expect(services.mongo?.image).toMatch(/^mongo:/);
    // One Dockerfile at the root builds both images; APP picks the app.
    expect(services.api?.build).toMatchObject({ context: ".", dockerfile: "Dockerfile", args: { APP: "api" } });
    expect(services.worker?.build).toMatchObject({ context: ".", dockerfile: "Dockerfile", args: { APP: "worker" } });
    // Each APP the compose file passes has a runtime stage, and the final stage picks it by APP.
    const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
    for (const app of ["api", "worker"])
      expect(dockerfile).toMatch(new RegExp(`^FROM runtime AS runtime-${app}$`, "m"));
    expect(dockerfile).toMatch(/^FROM runtime-\$\{APP\}$/m);
    expect(environment(services.api).REDIS_URL).toBe("redis://redis:6379");
    expect(environment(services.worker).MONGO_URL).toBe("mongodb://mongo:27017/llm-chat");
    expect(services.worker?.stop_grace_period).toBe("35s");
    expect(services.api?.stop_grace_period).toBe("20s");
  });

  it("keeps Grafana's admin password out of the file and anonymous access off by default", () => {
    const env = environment(services.grafana);
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:-[^}]+\}$/);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toMatch(/^\$\{GRAFANA_ANONYMOUS:-false\}$|^false$/);
  });
});

// --- nginx and Prometheus --------------------------------------------------------------------

describe("the nginx load balancer configuration", () => {
  const conf = readFileSync(join(root, "deploy/nginx/nginx.conf"), "utf8").replace(/#.*$/gm, "");

  it("re-resolves the api service through Docker's DNS into a shared upstream", () => {
    expect(conf).toMatch(/resolver\s+127\.0\.0\.11\b[^;]*valid=\d+s/);
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
    expect(upstream?.[2]).toMatch(/server\s+api:3000\b[^;]*\bresolve\b/);
    expect(upstream?.[2]).toMatch(/\bzone\s+\w+/);
    expect(conf).toContain(`proxy_pass http://${upstream?.[1]};`);
  });

  it("streams the query events route unbuffered with a long read timeout", () => {
    const events = [...conf.matchAll(/location\s+~\s+(\S+)\s*\{([^}]*)\}/g)].find(([, pattern]) =>
      new RegExp(pattern as string).test("/v1/queries/qry_01ABC/events"),
    );
    expect(events).toBeDefined();
    const [, pattern = "", body = ""] = events ?? [];
    expect(new RegExp(pattern).test("/v1/queries/qry_01ABC")).toBe(false);
    expect(body).toMatch(/proxy_buffering\s+off;/);
    const timeout = /proxy_read_timeout\s+(\d+)(s|m|h)?;/.exec(body);
    const seconds = Number(timeout?.[1]) * ({ s: 1, m: 60, h: 3600 }[timeout?.[2] ?? "s"] ?? 1);
    expect(seconds).toBeGreaterThanOrEqual(300);
  });

  it("passes X-Forwarded-For and X-Request-Id, and caps bodies a little above the API's 64 kB", () => {
    expect(conf).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;/);
    expect(conf).toMatch(/proxy_set_header\s+X-Request-Id\s+\$\w+;/);
    const size = /client_max_body_size\s+(\d+)k;/.exec(conf);
    expect(Number(size?.[1])).toBeGreaterThan(64);
    expect(Number(size?.[1])).toBeLessThanOrEqual(1024);
  });

  it("refuses every spelling Express routes to /metrics, case-insensitively (~*) and with a trailing slash", () => {
    const blocks = [...conf.matchAll(/location\s+~\*\s+(\S+)\s*\{\s*return\s+404;\s*\}/g)];
    // `~*` is nginx's case-insensitive regex match on the normalised URI.
    const refused = (path: string) => blocks.some(([, pattern]) => new RegExp(pattern as string, "i").test(path));
    for (const path of ["/metrics", "/METRICS", "/metrics/", "/Metrics/", "/metrics/x"]) {
      expect(refused(path), path).toBe(true);
    }
    for (const path of ["/v1/queries", "/healthz", "/metricsx"]) expect(refused(path), path).toBe(false);
  });
});

describe("the Prometheus configuration", () => {
  const config = parse(readFileSync(join(root, "deploy/prometheus/prometheus.yml"), "utf8")) as {
    scrape_configs: { job_name: string; metrics_path?: string; dns_sd_configs?: Record<string, unknown>[] }[];
  };

  it("discovers every api and worker replica by the service names' A records", () => {
    const sd = (job: string) => config.scrape_configs.find((c) => c.job_name === job)?.dns_sd_configs?.[0];
    expect(sd("llm-chat-api")).toMatchObject({ names: ["api"], type: "A", port: 9465 });
    expect(sd("llm-chat-worker")).toMatchObject({ names: ["worker"], type: "A", port: 9464 });
  });
});

// --- Grafana ---------------------------------------------------------------------------------

/** Metric names the apps export (docs/operations.md / issue: the llmchat_ metrics). */
const COUNTERS_AND_GAUGES = [
  "llmchat_http_requests_total",
  "llmchat_queue_jobs",
  "llmchat_queries_total",
  "llmchat_tokens_total",
  "llmchat_provider_errors_total",
  "llmchat_circuit_breaker_state",
  "llmchat_webhook_deliveries_total",
];
const HISTOGRAMS = [
  "llmchat_http_request_duration_seconds",
  "llmchat_query_queue_wait_seconds",
  "llmchat_query_model_seconds",
  "llmchat_query_total_seconds",
];
/** prom-client's default metrics, registered with the llmchat_ prefix. */
const DEFAULT_METRICS = [
  "process_cpu_user_seconds_total",
  "process_cpu_system_seconds_total",
  "process_cpu_seconds_total",
  "process_start_time_seconds",
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_heap_bytes",
  "process_open_fds",
  "process_max_fds",
  "nodejs_eventloop_lag_seconds",
  "nodejs_eventloop_lag_min_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_eventloop_lag_mean_seconds",
  "nodejs_eventloop_lag_stddev_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
  "nodejs_active_resources",
  "nodejs_active_resources_total",
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_heap_size_total_bytes",
  "nodejs_heap_size_used_bytes",
  "nodejs_external_memory_bytes",
  "nodejs_heap_space_size_total_bytes",
  "nodejs_heap_space_size_used_bytes",
  "nodejs_heap_space_size_available_bytes",
  "nodejs_version_info",
].map((m) => `llmchat_${m}`);
const GC_HISTOGRAM = "llmchat_nodejs_gc_duration_seconds";

const KNOWN_SERIES = new Set([
  ...COUNTERS_AND_GAUGES,
  ...DEFAULT_METRICS,
  ...[...HISTOGRAMS, GC_HISTOGRAM].flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
]);

const PROMQL_KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions,
 * aggregations, keywords, label names (in {…}, by (…) and the like) or durations.
 */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/\$\{?\w+\}?/g, " ") // Grafana variables
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  const names: string[] = [];
  for (const m of s.matchAll(/(?<![\w.:])[A-Za-z_:][\w:]*/g)) {
    const word = m[0];
    const rest = s.slice((m.index ?? 0) + word.length).trimStart();
    if (rest.startsWith("(") || PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr: string; refId: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

const dashboardText = readFileSync(join(root, "deploy/grafana/dashboards/llm-chat.json"), "utf8");

describe("the Grafana dashboard and provisioning", () => {
  const dashboard = JSON.parse(dashboardText) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; type: string; query?: string; current?: { value?: string } }[] };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  const exprs = queries.map((q) => q.expr);

  it("finds metric names in PromQL the way the checks below rely on", () => {
    expect(
      metricNames('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route!~".*/x"}[$__rate_interval])))'),
    ).toEqual(["a_bucket"]);
    expect(metricNames("sum(rate(b_total[5m] offset 1h)) / on (job) group_left (x) c and up")).toEqual([
      "b_total",
      "c",
      "up",
    ]);
    expect(metricNames("max by (queue, state) (d)")).toEqual(["d"]);
  });

  it("parses, with unique panel ids, and every panel queries the data source variable", () => {
    expect(dashboard.uid).toBe("llm-chat");
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const variable = dashboard.templating.list.find((v) => v.type === "datasource");
    expect(variable?.query).toBe("prometheus");
    for (const panel of panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource?.uid, panel.title).toBe(`\${${variable?.name}}`);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it("queries only metric names the apps export, or their _bucket/_sum/_count series", () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const { panel, expr } of queries) {
      const names = metricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(KNOWN_SERIES.has(name), `${panel}: unknown metric ${name}`).toBe(true);
    }
  });

  it("covers every application metric, with p50, p95 and p99 of the three query durations by model", () => {
    const used = new Set(exprs.flatMap(metricNames));
    for (const metric of COUNTERS_AND_GAUGES) expect(used.has(metric), metric).toBe(true);
    expect(used.has("llmchat_http_request_duration_seconds_bucket")).toBe(true);
    expect(used.has("llmchat_process_resident_memory_bytes")).toBe(true);
    expect(used.has("llmchat_nodejs_eventloop_lag_seconds")).toBe(true);
    for (const histogram of HISTOGRAMS.filter((h) => h.startsWith("llmchat_query_"))) {
      for (const q of ["0.5", "0.95", "0.99"]) {
        const found = exprs.some(
          (e) =>
            e.startsWith(`histogram_quantile(${q},`) &&
            e.includes(`rate(${histogram}_bucket[`) &&
            /by \(le, model\)/.test(e),
        );
        expect(found, `${histogram} p${Number(q) * 100}`).toBe(true);
      }
    }
    expect(exprs.some((e) => e.includes('status=~"5.."'))).toBe(true);
  });

  it("is provisioned from the mounted folder with a data source the variable can select", () => {
    const datasources = parse(
      readFileSync(join(root, "deploy/grafana/provisioning/datasources/prometheus.yml"), "utf8"),
    ) as { datasources: { uid: string; type: string; url: string }[] };
    const variable = dashboard.templating.list.find((v) => v.type === "datasource");
    expect(datasources.datasources).toContainEqual(
      expect.objectContaining({ type: "prometheus", uid: variable?.current?.value, url: "http://prometheus:9090" }),
    );
    const providers = parse(
      readFileSync(join(root, "deploy/grafana/provisioning/dashboards/llm-chat.yml"), "utf8"),
    ) as { providers: { options: { path: string } }[] };
    const mounted = bindMounts(services.grafana).find((m) => m.source.endsWith("deploy/grafana/dashboards"));
    expect(providers.providers.map((p) => p.options.path)).toContain(mounted?.target);
  });
});
