// Validates rendered kustomize output (multi-document YAML) for validate_test.sh:
//   node validate.mjs check VARIANT=FILE…     every object against the Kubernetes / prometheus-operator
//                                             OpenAPI schema, then the invariants below; exit 1 on any error
//   node validate.mjs selftest BASE SENTINEL  mutates the rendered objects one way at a time and exits 1
//                                             unless every mutation is caught by `check`
//   node validate.mjs plan OUTDIR VARIANT=FILE…  writes, per workload container, what it would run: the
//                                             argv, env and mounted files, for running the real binaries
//   node validate.mjs rbac BASE               compares the rendered ClusterRole with what the code reads
//                                             (lib/kube, below), prints both, exit 1 when they differ
// VARIANT names what the file was rendered from (VARIANTS below), which decides what must be in it.
// $NETPROBE_SOURCE is the repository, whose lib/kube says what the controller reads.
// Offline: reads files, writes files, nothing else.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

// prometheusNamespace: the namespace a Prometheus peer may name (none: the policy's own, by a peer
// without namespaceSelector); controllerNamespace: where a sentinel finds the controller.
const VARIANTS = {
  base: { namespace: "monitoring", core: true },
  "prometheus-operator": { namespace: "monitoring", core: true, operator: true },
  "alertmanager-push": { namespace: "monitoring", core: true, alertmanager: true },
  "other-namespace": { namespace: "netprobe-test", core: true, operator: true, alertmanager: true, image: "registry.test/netprobe:9.9.9" },
  "prometheus-elsewhere": { namespace: "netprobe-test", core: true, alertmanager: true, prometheusNamespace: "observability" },
  aws: { namespace: "monitoring", core: true, cloud: "aws" },
  gcp: { namespace: "monitoring", core: true, cloud: "gcp" },
  azure: { namespace: "monitoring", core: true, cloud: "azure" },
  sentinel: { namespace: "payments", sentinel: true, controllerNamespace: "monitoring", prometheusNamespace: "monitoring" },
  "sentinel-report-egress": { namespace: "payments", sentinel: true, reportEgress: true, controllerNamespace: "monitoring", prometheusNamespace: "monitoring" },
  "sentinel-other-namespace": { namespace: "payments", sentinel: true, reportEgress: true, controllerNamespace: "netprobe-test", prometheusNamespace: "netprobe-test" },
  "sentinel-aws": { namespace: "payments", sentinel: true, cloud: "aws", controllerNamespace: "monitoring", prometheusNamespace: "monitoring" },
  "sentinel-gcp": { namespace: "payments", sentinel: true, cloud: "gcp", controllerNamespace: "monitoring", prometheusNamespace: "monitoring" },
  "sentinel-azure": { namespace: "payments", sentinel: true, cloud: "azure", controllerNamespace: "monitoring", prometheusNamespace: "monitoring" },
};
// Compared with config text, never reached.
const METADATA_ADDRESS = "169.254.169.254";  // # not-a-destination
const UID = 65532;
const READ_VERBS = new Set(["get", "list", "watch"]);
// What the controller reads, from the code itself: the resources of kWatchedResources
// (lib/kube/discovery_store.hpp) at their paths in kResources (lib/kube/resources.hpp), as
// "group/plural" ("" for core), and the verbs of the requests lib/kube/api_reply.cpp builds
// (`?limit=`: list, `?watch=1`: watch). The ClusterRole must grant exactly those resources,
// with at least those verbs. (tests/unit/kube/rbac_test.cpp holds it to the same list.)
function codeReads() {
  const root = process.env.NETPROBE_SOURCE;
  if (!root) throw new Error("$NETPROBE_SOURCE (the repository) is not set: the controller's reads come from lib/kube");
  const read = (path) => readFileSync(join(root, path), "utf8");
  const table = read("lib/kube/resources.hpp");
  const paths = new Map();
  for (const m of table.matchAll(/ResourceInfo\{Resource::(\w+),\s*"(\w+)",\s*"([^"]+)"/g)) {
    const [, value, plural, path] = m;
    const group = path.startsWith("/api/") ? "" : path.split("/")[2];
    paths.set(value, `${group}/${plural}`);
  }
  const watched = read("lib/kube/discovery_store.hpp").match(/kWatchedResources\{([^}]*)\}/);
  if (!watched || paths.size === 0) throw new Error("cannot find kWatchedResources or kResources in lib/kube");
  const resources = [...watched[1].matchAll(/Resource::(\w+)/g)].map((m) => {
    if (!paths.has(m[1])) throw new Error(`kWatchedResources names ${m[1]}, which kResources has no path for`);
    return paths.get(m[1]);
  }).sort();
  const requests = read("lib/kube/api_reply.cpp");
  const verbs = [requests.includes('"?limit="') && "list", requests.includes('"?watch=1') && "watch"].filter(Boolean);
  if (verbs.length !== 2) throw new Error("lib/kube/api_reply.cpp no longer builds the list and watch requests this expects");
  return { resources, verbs };
}
let CODE_READS;  // read once, on first use
const POD_KINDS = new Set(["Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"]);
const CLUSTER_KINDS = new Set(["ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition"]);
const NAME = "app.kubernetes.io/name";
const COMPONENT = "app.kubernetes.io/component";

// ---- reading ------------------------------------------------------------------------------------

function readDocs(file) {
  const docs = [];
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
    const value = document.toJS();
    if (value !== null && value !== undefined) docs.push(value);
  }
  return docs;
}

function parseVariantArgs(args) {
  return args.map((arg) => {
    const at = arg.indexOf("=");
    if (at < 1) throw new Error(`expected VARIANT=FILE, got "${arg}"`);
    const variant = arg.slice(0, at);
    if (!VARIANTS[variant]) throw new Error(`unknown variant "${variant}" (expected ${Object.keys(VARIANTS).join(", ")})`);
    return { variant, file: arg.slice(at + 1) };
  });
}

// ---- small helpers ------------------------------------------------------------------------------

const id = (doc) => `${doc?.kind ?? "?"} ${doc?.metadata?.namespace ? doc.metadata.namespace + "/" : ""}${doc?.metadata?.name ?? "?"}`;
const find = (docs, kind, name) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const ofKind = (docs, kind) => docs.filter((d) => d.kind === kind);
const component = (doc) => podTemplate(doc)?.metadata?.labels?.[COMPONENT] ?? doc.metadata?.labels?.[COMPONENT];

function podTemplate(doc) {
  if (!POD_KINDS.has(doc.kind)) return undefined;
  if (doc.kind === "Pod") return doc;
  if (doc.kind === "CronJob") return doc.spec?.jobTemplate?.spec?.template;
  return doc.spec?.template;
}

function allContainers(spec) {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])];
}

function matches(selector, labels) {
  if (!selector) return false;
  labels ??= {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expr.key);
    if (expr.operator === "In" && !(has && expr.values.includes(labels[expr.key]))) return false;
    if (expr.operator === "NotIn" && has && expr.values.includes(labels[expr.key])) return false;
    if (expr.operator === "Exists" && !has) return false;
    if (expr.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function envFrom(container, name) {
  return container.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
}

function configFile(docs, prefix, key) {
  const cm = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name.startsWith(prefix));
  const text = cm?.data?.[key];
  return text === undefined ? undefined : parse(text);
}

// Which ports a NetworkPolicy rule opens: ["53/UDP", "9742/TCP", …] (named ports as they are).
const rulePorts = (rule) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`);
const policyTypes = (np) => np.spec.policyTypes ?? (np.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);

function allowsDns(np) {
  const isDnsPeer = (peer) =>
    peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system" &&
    peer.podSelector?.matchLabels?.["k8s-app"] === "kube-dns";
  const dnsRules = (np.spec.egress ?? []).filter((rule) => (rule.to ?? []).some(isDnsPeer));
  const ports = new Set(dnsRules.flatMap(rulePorts));
  return { udp: ports.has("53/UDP"), tcp: ports.has("53/TCP") };
}

// ---- schema -------------------------------------------------------------------------------------

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const specifier =
    group === "monitoring.coreos.com" ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
    : group === "" ? `kubernetes-models/${version}/${kind}`
    : `kubernetes-models/${group}/${version}/${kind}`;
  try {
    return (await import(specifier))[kind];
  } catch {
    return undefined;
  }
}

async function checkSchema(docs, error) {
  for (const doc of docs) {
    const Model = await modelFor(doc.apiVersion, doc.kind);
    if (!Model) {
      error(doc, `no schema model for apiVersion ${doc.apiVersion} kind ${doc.kind}: it cannot be validated`);
      continue;
    }
    try {
      new Model(structuredClone(doc)).validate();
    } catch (e) {
      error(doc, `schema: ${e.message}`);
    }
  }
}

// ---- invariants ---------------------------------------------------------------------------------

function checkSecurity(docs, error) {
  for (const doc of docs) {
    const template = podTemplate(doc);
    if (!template) continue;
    const spec = template.spec ?? {};
    const pod = spec.securityContext ?? {};
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) error(doc, "uses the host's network, PID or IPC namespace");
    for (const volume of spec.volumes ?? []) if (volume.hostPath) error(doc, `volume ${volume.name} is a hostPath`);
    for (const volume of spec.volumes ?? []) {
      if (!volume.secret) continue;
      if (volume.secret.secretName !== "netprobe-tokens") error(doc, `volume ${volume.name} mounts Secret ${volume.secret.secretName}, not netprobe-tokens`);
      // Token files not readable by others must belong to the process's group, or it cannot read them.
      const mode = volume.secret.defaultMode ?? 0o644;
      if ((mode & 0o004) === 0 && pod.fsGroup !== UID) error(doc, `volume ${volume.name}: mode ${mode.toString(8)} without fsGroup ${UID}: the tokens are unreadable`);
      if (mode & 0o006) error(doc, `volume ${volume.name}: mode ${mode.toString(8)} lets others read or write the tokens`);
    }
    const containers = allContainers(spec);
    if (containers.length === 0) error(doc, "has no containers");
    for (const c of containers) {
      const where = `container ${c.name}`;
      const sc = c.securityContext ?? {};
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) error(doc, `${where}: runAsNonRoot is not true`);
      if ((sc.runAsUser ?? pod.runAsUser) !== UID) error(doc, `${where}: runAsUser is not ${UID}`);
      if ((sc.runAsGroup ?? pod.runAsGroup) !== UID) error(doc, `${where}: runAsGroup is not ${UID}`);
      if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== "RuntimeDefault") error(doc, `${where}: seccompProfile is not RuntimeDefault`);
      if (sc.readOnlyRootFilesystem !== true) error(doc, `${where}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) error(doc, `${where}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) error(doc, `${where}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) error(doc, `${where}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length) error(doc, `${where}: adds capabilities ${sc.capabilities.add}`);
      for (const port of c.ports ?? []) if (port.hostPort) error(doc, `${where}: hostPort ${port.hostPort}`);
      for (const field of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (!c.resources?.[field]?.[resource]) error(doc, `${where}: no ${field}.${resource}`);
        }
      }
      if (!/^[^:@\s]+\/[^:@\s]+:[^:@\s]+$/.test(c.image ?? "") || c.image.endsWith(":latest")) {
        error(doc, `${where}: image "${c.image}" is not REGISTRY/NAME:TAG`);
      }
    }
    for (const c of spec.containers ?? []) {
      // Where the Dockerfile installs the programs; a bare name would depend on the image's PATH.
      if (c.command?.length !== 1 || !/^\/usr\/local\/bin\/netprobe(-agent|-controller)$/.test(c.command[0])) {
        error(doc, `container ${c.name}: command ${JSON.stringify(c.command)} is not one of /usr/local/bin/netprobe-agent, -controller`);
      }
      if (!c.livenessProbe?.httpGet) error(doc, `container ${c.name}: no HTTP livenessProbe`);
      if (!c.readinessProbe?.httpGet) error(doc, `container ${c.name}: no HTTP readinessProbe`);
      if (c.livenessProbe?.httpGet && c.livenessProbe.httpGet.path !== "/healthz") error(doc, `container ${c.name}: livenessProbe is not /healthz`);
      const ready = component(doc) === "controller" ? "/readyz" : "/healthz";
      if (c.readinessProbe?.httpGet && c.readinessProbe.httpGet.path !== ready) error(doc, `container ${c.name}: readinessProbe is not ${ready}`);
    }
    // Only the controller reads the Kubernetes API; nothing else gets a token.
    if (component(doc) !== "controller" && spec.automountServiceAccountToken !== false) {
      error(doc, "automountServiceAccountToken is not false (only the controller reads the API)");
    }
  }
  for (const sa of ofKind(docs, "ServiceAccount")) {
    if (sa.metadata.name !== "netprobe-controller" && sa.automountServiceAccountToken !== false) {
      error(sa, "automountServiceAccountToken is not false");
    }
  }
}

function checkRbac(docs, error, { core }) {
  for (const role of [...ofKind(docs, "ClusterRole"), ...ofKind(docs, "Role")]) {
    for (const [i, rule] of (role.rules ?? []).entries()) {
      for (const verb of rule.verbs ?? []) {
        if (!READ_VERBS.has(verb)) error(role, `rules[${i}]: verb "${verb}" is not one of get, list, watch`);
      }
      for (const field of ["apiGroups", "resources", "resourceNames", "nonResourceURLs"]) {
        if ((rule[field] ?? []).includes("*")) error(role, `rules[${i}].${field}: wildcard "*"`);
      }
      if (rule.nonResourceURLs) error(role, `rules[${i}]: nonResourceURLs`);
      for (const resource of rule.resources ?? []) {
        if (["secrets", "configmaps"].includes(resource.split("/")[0])) error(role, `rules[${i}]: reads ${resource}`);
      }
    }
  }
  for (const binding of [...ofKind(docs, "ClusterRoleBinding"), ...ofKind(docs, "RoleBinding")]) {
    if (!find(docs, binding.roleRef?.kind, binding.roleRef?.name)) error(binding, `roleRef ${binding.roleRef?.kind} ${binding.roleRef?.name} is not in the manifests`);
    for (const subject of binding.subjects ?? []) {
      if (subject.kind !== "ServiceAccount") error(binding, `subject ${subject.kind} ${subject.name}: only service accounts are bound`);
      const sa = docs.find((d) => d.kind === "ServiceAccount" && d.metadata.name === subject.name);
      if (!sa) error(binding, `subject ServiceAccount ${subject.name} is not in the manifests`);
      else if (sa.metadata.namespace !== subject.namespace) {
        error(binding, `subject ServiceAccount ${subject.name} is in namespace ${subject.namespace}, the ServiceAccount in ${sa.metadata.namespace}`);
      }
    }
  }
  if (core) {
    const role = find(docs, "ClusterRole", "netprobe-controller");
    if (!role) return error(null, "ClusterRole netprobe-controller is missing");
    CODE_READS ??= codeReads();
    const granted = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))).sort();
    if (JSON.stringify(granted) !== JSON.stringify(CODE_READS.resources)) {
      error(role, `covers [${granted}], the controller reads exactly [${CODE_READS.resources}] (lib/kube)`);
    }
    for (const [i, rule] of role.rules.entries()) {
      for (const verb of CODE_READS.verbs) if (!(rule.verbs ?? []).includes(verb)) error(role, `rules[${i}]: no verb "${verb}", which the controller uses`);
      for (const verb of rule.verbs ?? []) if (!CODE_READS.verbs.includes(verb)) error(role, `rules[${i}]: verb "${verb}", which the controller does not use`);
    }
    const binding = find(docs, "ClusterRoleBinding", "netprobe-controller");
    if (!binding?.subjects?.some((s) => s.name === "netprobe-controller")) error(binding, "does not bind the controller's ServiceAccount");
  }
}

function checkSecretsAndReferences(docs, error) {
  for (const doc of docs) {
    if (doc.kind === "Secret") error(doc, "a Secret in the manifests: tokens come from a Secret the user creates, never from here");
  }
  for (const doc of docs) {
    const template = podTemplate(doc);
    if (!template) continue;
    for (const volume of template.spec?.volumes ?? []) {
      const name = volume.configMap?.name;
      if (name && !docs.some((d) => d.kind === "ConfigMap" && d.metadata.name === name && d.metadata.namespace === doc.metadata.namespace)) {
        error(doc, `volume ${volume.name}: ConfigMap ${name} is not in the manifests`);
      }
    }
    if (template.spec?.serviceAccountName && !docs.some((d) => d.kind === "ServiceAccount" && d.metadata.name === template.spec.serviceAccountName && d.metadata.namespace === doc.metadata.namespace)) {
      error(doc, `ServiceAccount ${template.spec.serviceAccountName} is not in the manifests`);
    }
  }
}

function checkNamespaces(docs, error, namespace) {
  for (const doc of docs) {
    if (CLUSTER_KINDS.has(doc.kind)) {
      if (doc.metadata.namespace) error(doc, "a cluster-scoped object with a namespace");
    } else if (doc.metadata?.namespace !== namespace) {
      error(doc, `namespace is ${doc.metadata?.namespace}, expected ${namespace}`);
    }
    if (doc.kind === "Namespace") error(doc, "creates a Namespace (kubectl delete -k would delete it with everything in it)");
  }
}

// Policies that only add egress to pods another policy already decides for: exempt from the
// "an egress policy allows DNS" rule (report-egress must not allow it; the controller's DNS is
// in netprobe-controller).
const ADD_ON_EGRESS = new Set(["netprobe-sentinel-report", "netprobe-controller-alertmanager"]);
const NS_LABEL = "kubernetes.io/metadata.name";

function peers(np) {
  return [...(np.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.to ?? [])];
}

function checkNetworkPolicies(docs, error, v) {
  const policies = ofKind(docs, "NetworkPolicy");
  // Every netprobe pod's ingress is locked: some policy isolates it for ingress.
  for (const doc of docs) {
    const template = podTemplate(doc);
    if (!template) continue;
    const guarded = policies.some((np) => np.metadata.namespace === doc.metadata.namespace &&
      policyTypes(np).includes("Ingress") && matches(np.spec.podSelector, template.metadata?.labels));
    if (!guarded) error(doc, "no NetworkPolicy restricts ingress to its pods");
  }
  for (const np of policies) {
    const types = policyTypes(np);
    for (const [i, rule] of (np.spec.ingress ?? []).entries()) {
      if (!rule.from?.length) error(np, `ingress[${i}] admits every source`);
      if (!rule.ports?.length) error(np, `ingress[${i}] admits every port`);
    }
    const role = np.spec.podSelector?.matchLabels?.[COMPONENT];
    if (types.includes("Egress") && !ADD_ON_EGRESS.has(np.metadata.name)) {
      const dns = allowsDns(np);
      if (!dns.udp) error(np, "egress does not allow DNS over UDP 53 to kube-dns");
      if (!dns.tcp) error(np, "egress does not allow DNS over TCP 53 to kube-dns (answers that need TCP fail)");
    }
    // Agents and sentinels probe under the cluster's policies, not netprobe's: no egress here.
    if ((role === "agent" || role === "sentinel") && np.metadata.name !== "netprobe-sentinel-report" && types.includes("Egress")) {
      error(np, `restricts the ${role}'s egress: probing is its job, and a netprobe egress policy would hide the cluster's`);
    }
    // A peer of the install's own policies names no namespace but kube-system (DNS) and, where the
    // variant sets one, Prometheus': netprobe's own namespace is the policy's, and a name written
    // here would stay behind when an overlay's `namespace:` moves the objects.
    if (v.core) {
      for (const peer of peers(np)) {
        const name = peer.namespaceSelector?.matchLabels?.[NS_LABEL];
        if (name !== undefined && name !== "kube-system" && name !== v.prometheusNamespace) {
          error(np, `a peer pinned to namespace ${name}: an overlay's namespace: would not move it (a peer without namespaceSelector is the policy's own namespace)`);
        }
      }
    }
    if (role === "controller" && np.metadata.name === "netprobe-controller") {
      if (!types.includes("Ingress") || !types.includes("Egress")) error(np, "does not restrict the controller both ways");
      const ingressPorts = new Set((np.spec.ingress ?? []).flatMap(rulePorts));
      if ([...ingressPorts].some((p) => p !== "9742/TCP")) error(np, `ingress opens [${[...ingressPorts]}], expected 9742/TCP only`);
      // What the controller does with the base's config: DNS, fan-out to agents, the API server.
      const allowed = new Set(["53/UDP", "53/TCP", "9743/TCP", "443/TCP", "6443/TCP"]);
      for (const [i, rule] of (np.spec.egress ?? []).entries()) {
        if (!rule.to?.length) error(np, `egress[${i}] admits every destination`);
        if (!rule.ports?.length) error(np, `egress[${i}] admits every port`);
        for (const port of rulePorts(rule)) if (!allowed.has(port)) error(np, `egress[${i}] opens ${port}`);
      }
    } else if (role === "controller") {
      // Add-on egress: only Alertmanager, only with the component that pushes to it.
      if (np.metadata.name !== "netprobe-controller-alertmanager") error(np, "an unknown policy selecting the controller");
      else if (!v.alertmanager) error(np, "egress to Alertmanager without the alertmanager-push component");
      if (JSON.stringify(types) !== '["Egress"]') error(np, `policyTypes ${JSON.stringify(types)}, expected ["Egress"]`);
      for (const [i, rule] of (np.spec.egress ?? []).entries()) {
        if (!rule.to?.length) error(np, `egress[${i}] admits every destination`);
        if (JSON.stringify(rulePorts(rule)) !== '["9093/TCP"]') error(np, `egress[${i}] opens [${rulePorts(rule)}], expected 9093/TCP only`);
      }
    }
    if (role === "agent" || role === "sentinel") {
      const ingressPorts = new Set((np.spec.ingress ?? []).flatMap(rulePorts));
      if ([...ingressPorts].some((p) => p !== "9743/TCP")) error(np, `ingress opens [${[...ingressPorts]}], expected 9743/TCP only`);
    }
  }
  if (v.alertmanager && !find(docs, "NetworkPolicy", "netprobe-controller-alertmanager")) {
    error(null, "NetworkPolicy netprobe-controller-alertmanager is missing: the controller cannot reach Alertmanager");
  }
  if (v.sentinel) {
    // The peers come from netprobe-sentinel-settings: the controller's and Prometheus' namespaces.
    const np = find(docs, "NetworkPolicy", "netprobe-sentinel");
    const from = np?.spec?.ingress?.[0]?.from ?? [];
    const controllerPeer = from.find((p) => p.podSelector?.matchLabels?.[COMPONENT] === "controller");
    const prometheusPeer = from.find((p) => !p.podSelector);
    if (controllerPeer?.namespaceSelector?.matchLabels?.[NS_LABEL] !== v.controllerNamespace) {
      error(np, `admits the controller from namespace ${controllerPeer?.namespaceSelector?.matchLabels?.[NS_LABEL]}, expected ${v.controllerNamespace}`);
    }
    if (prometheusPeer?.namespaceSelector?.matchLabels?.[NS_LABEL] !== v.prometheusNamespace) {
      error(np, `admits Prometheus from namespace ${prometheusPeer?.namespaceSelector?.matchLabels?.[NS_LABEL]}, expected ${v.prometheusNamespace}`);
    }
  }
  if (v.reportEgress) {
    const np = find(docs, "NetworkPolicy", "netprobe-sentinel-report");
    if (!np) return error(null, "NetworkPolicy netprobe-sentinel-report is missing");
    const ports = (np.spec.egress ?? []).flatMap(rulePorts);
    if (JSON.stringify(policyTypes(np)) !== '["Egress"]' || JSON.stringify(ports) !== '["9742/TCP"]') {
      error(np, `must only allow egress to the controller on 9742/TCP, allows [${ports}]`);
    }
    if (allowsDns(np).udp || allowsDns(np).tcp) error(np, "allows DNS: that would hide the namespace's own DNS block");
    const to = peers(np).map((p) => p.namespaceSelector?.matchLabels?.[NS_LABEL]);
    if (JSON.stringify(to) !== JSON.stringify([v.controllerNamespace])) error(np, `reaches namespaces [${to}], expected the controller's ${v.controllerNamespace}`);
  }
}

// A config's metadata probes: none without a cloud component, else exactly one of its flavor at
// the metadata address; and nothing else in it aims at that address.
function checkMetadataProbes(config, error, what, cloud) {
  const probes = config?.probes ?? [];
  const metadata = probes.filter((p) => p.type === "metadata");
  if (!cloud && metadata.length) error(null, `${what}: a metadata probe without a cloud component (on bare metal and kind it fails on every node and pages)`);
  if (cloud) {
    if (metadata.length !== 1) error(null, `${what}: ${metadata.length} metadata probes with the ${cloud} component, expected 1`);
    else if (metadata[0].flavor !== cloud || metadata[0].address !== `${METADATA_ADDRESS}:80`) {
      error(null, `${what}: the metadata probe is flavor ${metadata[0].flavor} at ${metadata[0].address}, expected ${cloud} at ${METADATA_ADDRESS}:80`);
    }
  }
  for (const p of probes) {
    if (p.type !== "metadata" && JSON.stringify(p).includes(METADATA_ADDRESS)) error(null, `${what}: probe ${p.name} aims at the metadata address`);
  }
}

function checkAgentLike(docs, error, doc, role) {
  if (!doc) return error(null, `the ${role} workload is missing`);
  const spec = podTemplate(doc).spec;
  const c = spec.containers[0];
  if (envFrom(c, "NODE_NAME") !== "spec.nodeName") error(doc, "NODE_NAME does not come from spec.nodeName");
  if (envFrom(c, "POD_NAMESPACE") !== "metadata.namespace") error(doc, "POD_NAMESPACE does not come from metadata.namespace");
  if (envFrom(c, "POD_IP") !== "status.podIP") error(doc, "POD_IP does not come from status.podIP");
  const tokens = spec.volumes?.find((v) => v.secret);
  const items = JSON.stringify(tokens?.secret?.items?.map((i) => i.key));
  if (items !== '["agent-token"]') error(doc, `mounts token keys ${items}, expected only ["agent-token"] (never the API token)`);
  if (!c.ports?.some((p) => p.containerPort === 9743)) error(doc, "does not expose 9743");
  const args = c.args ?? [];
  for (const flag of ["--config=", "--token-file=", "--controller="]) {
    if (!args.some((a) => a.startsWith(flag))) error(doc, `no ${flag.slice(0, -1)} flag`);
  }
  return args.find((a) => a.startsWith("--controller="))?.slice("--controller=".length);
}

function checkCore(docs, error, v) {
  const agent = find(docs, "DaemonSet", "netprobe-agent");
  const controllerUrl = checkAgentLike(docs, error, agent, "agent");
  if (agent) {
    const spec = agent.spec.template.spec;
    if (!spec.tolerations?.some((t) => t.operator === "Exists" && !t.key && !t.effect)) {
      error(agent, "does not tolerate every taint (tolerations: [{operator: Exists}])");
    }
    if (controllerUrl !== "http://netprobe-controller-headless:9742") error(agent, `reports to ${controllerUrl}, expected the headless Service`);
  }
  const headless = find(docs, "Service", "netprobe-controller-headless");
  const controller = find(docs, "Deployment", "netprobe-controller");
  if (!controller) return error(null, "Deployment netprobe-controller is missing");
  const labels = controller.spec.template.metadata.labels;
  if (controller.spec.replicas !== 2) error(controller, `replicas is ${controller.spec.replicas}, expected 2`);
  const keys = (controller.spec.template.spec.topologySpreadConstraints ?? []).filter((t) => matches(t.labelSelector, labels)).map((t) => t.topologyKey);
  for (const key of ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]) {
    if (!keys.includes(key)) error(controller, `no topologySpreadConstraint over ${key} selecting its pods`);
  }
  const c = controller.spec.template.spec.containers[0];
  for (const flag of ["--config=", "--agent-token-file=", "--api-token-file="]) {
    if (!(c.args ?? []).some((a) => a.startsWith(flag))) error(controller, `no ${flag.slice(0, -1)} flag`);
  }
  const items = JSON.stringify(controller.spec.template.spec.volumes?.find((v) => v.secret)?.secret?.items?.map((i) => i.key).sort());
  if (items !== '["agent-token","api-token"]') error(controller, `mounts token keys ${items}, expected agent-token and api-token`);
  const pdb = ofKind(docs, "PodDisruptionBudget").find((p) => matches(p.spec.selector, labels));
  if (!pdb) error(controller, "no PodDisruptionBudget selects its pods");
  else if (pdb.spec.minAvailable !== 1) error(pdb, `minAvailable is ${pdb.spec.minAvailable}, expected 1`);
  if (!headless) error(null, "Service netprobe-controller-headless is missing");
  else {
    if (headless.spec.clusterIP !== "None") error(headless, "is not headless (clusterIP: None): agents would report to one replica only");
    if (!matches({ matchLabels: headless.spec.selector }, labels)) error(headless, "does not select the controller's pods");
  }
  const service = find(docs, "Service", "netprobe-controller");
  if (!service?.spec?.ports?.some((p) => p.port === 9742)) error(service, "Service netprobe-controller does not expose 9742");
  const agentConfig = configFile(docs, "netprobe-agent-config", "agent.yaml");
  if (!agentConfig) return error(null, "ConfigMap netprobe-agent-config has no agent.yaml");
  const probes = agentConfig.probes ?? [];
  const dns = probes.find((p) => p.type === "dns");
  if (!dns || !dns.transports?.includes("udp") || !dns.transports?.includes("tcp")) error(null, "agent.yaml: no DNS probe over both UDP and TCP");
  checkMetadataProbes(agentConfig, error, "agent.yaml", v.cloud);
  if (!probes.some((p) => p.type === "http")) error(null, "agent.yaml: no scrape-path (http) probe");
  const deny = probes.find((p) => p.expect === "deny");
  if (!deny) error(null, "agent.yaml: no expect-deny probe");
  else if (deny.target?.startsWith("netprobe-canary:") && !find(docs, "Service", "netprobe-canary")) error(null, "agent.yaml: the deny probe's target netprobe-canary is not in the manifests");
  const controllerConfig = configFile(docs, "netprobe-controller-config", "controller.yaml");
  if (!controllerConfig) return error(null, "ConfigMap netprobe-controller-config has no controller.yaml");
  // The ad hoc API reaches what the shipped probes reach: not the metadata endpoint.
  if ((controllerConfig.adhoc?.allow_cidrs ?? []).some((c) => c.startsWith(METADATA_ADDRESS))) {
    error(null, "controller.yaml: adhoc.allow_cidrs admits the metadata endpoint, which nothing in the base probes");
  }
}

function checkOperator(docs, error) {
  const monitors = ofKind(docs, "ServiceMonitor");
  for (const name of ["netprobe-controller", "netprobe-agent"]) {
    const sm = find(docs, "ServiceMonitor", name);
    if (!sm) { error(null, `ServiceMonitor ${name} is missing`); continue; }
    const selected = ofKind(docs, "Service").filter((s) => s.metadata.namespace === sm.metadata.namespace && matches(sm.spec.selector, s.metadata.labels));
    if (selected.length !== 1) error(sm, `selects ${selected.length} Services (${selected.map((s) => s.metadata.name)}), expected exactly 1`);
    for (const endpoint of sm.spec.endpoints ?? []) {
      for (const service of selected) {
        if (!service.spec.ports.some((p) => p.name === endpoint.port)) error(sm, `port ${endpoint.port} is not a port of Service ${service.metadata.name}`);
      }
    }
  }
  if (monitors.length !== 2) error(null, `${monitors.length} ServiceMonitors, expected 2`);
  if (!ofKind(docs, "PrometheusRule").some((r) => r.spec?.groups?.length)) error(null, "no PrometheusRule with rule groups");
}

function checkSentinel(docs, error, v) {
  const sentinel = find(docs, "Deployment", "netprobe-sentinel");
  const url = checkAgentLike(docs, error, sentinel, "sentinel");
  if (!sentinel) return;
  if (sentinel.spec.replicas !== 1) error(sentinel, `replicas is ${sentinel.spec.replicas}, expected 1`);
  if (url !== `http://netprobe-controller-headless.${v.controllerNamespace}.svc.cluster.local:9742`) {
    error(sentinel, `reports to ${url}, expected the controller's headless Service in ${v.controllerNamespace}`);
  }
  const config = configFile(docs, "netprobe-sentinel-config", "sentinel.yaml");
  if (!config) error(null, "ConfigMap netprobe-sentinel-config has no sentinel.yaml");
  else checkMetadataProbes(config, error, "sentinel.yaml", v.cloud);
  for (const doc of docs) if (CLUSTER_KINDS.has(doc.kind)) error(doc, "a sentinel overlay must not create cluster-scoped objects");
  const np = find(docs, "NetworkPolicy", "netprobe-sentinel");
  if (!np) error(null, "NetworkPolicy netprobe-sentinel is missing");
  else if (JSON.stringify(policyTypes(np)) !== '["Ingress"]') error(np, `policyTypes ${JSON.stringify(policyTypes(np))}, expected ["Ingress"]`);
}

function checkLabels(docs, error) {
  for (const doc of docs) if (doc.metadata?.labels?.[NAME] !== "netprobe") error(doc, `no label ${NAME}: netprobe`);
}

async function checkVariant(variant, docs, error) {
  const v = VARIANTS[variant];
  if (docs.length === 0) error(null, "no objects rendered");
  await checkSchema(docs, error);
  checkNamespaces(docs, error, v.namespace);
  checkLabels(docs, error);
  checkSecurity(docs, error);
  checkRbac(docs, error, v);
  checkSecretsAndReferences(docs, error);
  checkNetworkPolicies(docs, error, v);
  if (v.core) checkCore(docs, error, v);
  if (v.operator) checkOperator(docs, error);
  else if (ofKind(docs, "ServiceMonitor").length || ofKind(docs, "PrometheusRule").length) error(null, "prometheus-operator objects without the component");
  if (v.sentinel) checkSentinel(docs, error, v);
  if (v.core) {
    const urls = configFile(docs, "netprobe-controller-config", "controller.yaml")?.alertmanager?.urls ?? [];
    if (v.alertmanager && urls.length === 0) error(null, "controller.yaml: alertmanager.urls is empty with the alertmanager-push component");
    if (!v.alertmanager && urls.length !== 0) error(null, "controller.yaml: alertmanager.urls is set without the alertmanager-push component");
  }
}

// Across variants: one image everywhere; alertmanager-push changes nothing but alertmanager.urls.
function checkAcross(sets, error) {
  const images = new Set();
  for (const { variant, docs } of sets) {
    const expected = VARIANTS[variant].image;
    for (const doc of docs) {
      for (const c of allContainers(podTemplate(doc)?.spec)) {
        if (expected && c.image !== expected) error(doc, `image ${c.image}, expected the overlay's ${expected}`);
        if (!expected) images.add(c.image);
      }
    }
  }
  if (images.size > 1) error(null, `different images across the manifests: ${[...images].join(", ")}`);
  // A component that replaces a whole config file changes only what it is for.
  const config = (variant, prefix, key) => {
    const set = sets.find((s) => s.variant === variant);
    return set && configFile(set.docs, prefix, key);
  };
  const sameBut = (variant, baseVariant, prefix, key, strip, what) => {
    const original = config(baseVariant, prefix, key);
    const replaced = config(variant, prefix, key);
    if (original && replaced && JSON.stringify(strip(original)) !== JSON.stringify(strip(replaced))) {
      error(null, `the ${variant} component's ${key} differs from the ${baseVariant} one beyond ${what}`);
    }
  };
  sameBut("alertmanager-push", "base", "netprobe-controller-config", "controller.yaml",
    (c) => ({ ...c, alertmanager: { ...c.alertmanager, urls: undefined } }), "alertmanager.urls");
  const noMetadata = (c) => ({ ...c, probes: (c.probes ?? []).filter((p) => p.type !== "metadata") });
  for (const cloud of ["aws", "gcp", "azure"]) {
    sameBut(cloud, "base", "netprobe-agent-config", "agent.yaml", noMetadata, "its metadata probe");
    sameBut(`sentinel-${cloud}`, "sentinel", "netprobe-sentinel-config", "sentinel.yaml", noMetadata, "its metadata probe");
  }
}

async function check(sets) {
  const errors = [];
  for (const { variant, docs } of sets) {
    await checkVariant(variant, docs, (doc, message) => errors.push(`${variant}: ${doc ? id(doc) + ": " : ""}${message}`));
  }
  checkAcross(sets, (doc, message) => errors.push(`all: ${doc ? id(doc) + ": " : ""}${message}`));
  return errors;
}

// ---- self-test: every mutation must be caught ---------------------------------------------------

const container = (docs, kind, name) => find(docs, kind, name).spec.template.spec.containers[0];
const podSpec = (docs, kind, name) => find(docs, kind, name).spec.template.spec;
const MUTATIONS = [
  ["readOnlyRootFilesystem removed", "base", "readOnlyRootFilesystem", (d) => { delete container(d, "DaemonSet", "netprobe-agent").securityContext.readOnlyRootFilesystem; }],
  ["allowPrivilegeEscalation true", "base", "allowPrivilegeEscalation", (d) => { container(d, "Deployment", "netprobe-controller").securityContext.allowPrivilegeEscalation = true; }],
  ["capabilities not dropped", "base", "drop ALL", (d) => { container(d, "Deployment", "netprobe-canary").securityContext.capabilities.drop = []; }],
  ["NET_RAW added", "sentinel", "adds capabilities", (d) => { container(d, "Deployment", "netprobe-sentinel").securityContext.capabilities.add = ["NET_RAW"]; }],
  ["pod seccomp removed", "base", "seccompProfile", (d) => { delete podSpec(d, "DaemonSet", "netprobe-agent").securityContext.seccompProfile; }],
  ["runAsNonRoot false", "sentinel", "runAsNonRoot", (d) => { podSpec(d, "Deployment", "netprobe-sentinel").securityContext.runAsNonRoot = false; }],
  ["root user", "base", "runAsUser", (d) => { container(d, "Deployment", "netprobe-controller").securityContext.runAsUser = 0; }],
  ["fsGroup removed", "base", "tokens are unreadable", (d) => { delete podSpec(d, "DaemonSet", "netprobe-agent").securityContext.fsGroup; }],
  ["world-readable tokens", "sentinel", "lets others read", (d) => { podSpec(d, "Deployment", "netprobe-sentinel").volumes.find((v) => v.secret).secret.defaultMode = 0o644; }],
  ["hostNetwork", "base", "host's network", (d) => { podSpec(d, "DaemonSet", "netprobe-agent").hostNetwork = true; }],
  ["no memory limit", "base", "limits.memory", (d) => { delete container(d, "DaemonSet", "netprobe-agent").resources.limits.memory; }],
  ["readiness on /healthz for the controller", "base", "readinessProbe is not /readyz", (d) => { container(d, "Deployment", "netprobe-controller").readinessProbe.httpGet.path = "/healthz"; }],
  ["agent token mounted", "base", "automountServiceAccountToken", (d) => { podSpec(d, "DaemonSet", "netprobe-agent").automountServiceAccountToken = true; }],
  ["agent gets the API token", "base", "never the API token", (d) => { podSpec(d, "DaemonSet", "netprobe-agent").volumes.find((v) => v.secret).secret.items.push({ key: "api-token", path: "api-token" }); }],
  ["agent tolerations removed", "base", "tolerate every taint", (d) => { delete podSpec(d, "DaemonSet", "netprobe-agent").tolerations; }],
  ["NODE_NAME removed", "base", "NODE_NAME", (d) => { const c = container(d, "DaemonSet", "netprobe-agent"); c.env = c.env.filter((e) => e.name !== "NODE_NAME"); }],
  ["write verb", "base", 'verb "create"', (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].verbs.push("create"); }],
  ["wildcard resource", "base", "wildcard", (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].resources.push("*"); }],
  ["reads secrets", "base", "reads secrets", (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].resources.push("secrets"); }],
  ["one controller replica", "base", "replicas is 1", (d) => { find(d, "Deployment", "netprobe-controller").spec.replicas = 1; }],
  ["PDB removed", "base", "PodDisruptionBudget", (d) => { d.splice(d.findIndex((x) => x.kind === "PodDisruptionBudget"), 1); }],
  ["no hostname spread", "base", "kubernetes.io/hostname", (d) => { podSpec(d, "Deployment", "netprobe-controller").topologySpreadConstraints.shift(); }],
  ["headless Service with a ClusterIP", "base", "not headless", (d) => { delete find(d, "Service", "netprobe-controller-headless").spec.clusterIP; }],
  ["controller DNS over UDP only", "base", "TCP 53", (d) => { for (const r of find(d, "NetworkPolicy", "netprobe-controller").spec.egress) r.ports = r.ports.filter((p) => !(p.port === 53 && p.protocol === "TCP")); }],
  ["controller egress wide open", "base", "admits every destination", (d) => { find(d, "NetworkPolicy", "netprobe-controller").spec.egress.push({ ports: [{ port: 9743, protocol: "TCP" }] }); }],
  ["agent egress restricted", "base", "restricts the agent's egress", (d) => { find(d, "NetworkPolicy", "netprobe-agent").spec.policyTypes.push("Egress"); }],
  ["agent ingress from anywhere", "base", "admits every source", (d) => { find(d, "NetworkPolicy", "netprobe-agent").spec.ingress.push({ ports: [{ port: 9743, protocol: "TCP" }] }); }],
  ["agent policy removed", "base", "no NetworkPolicy restricts ingress", (d) => { d.splice(d.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "netprobe-agent"), 1); }],
  ["a Secret with a token", "base", "a Secret in the manifests", (d) => { d.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "netprobe-tokens", namespace: "monitoring", labels: { [NAME]: "netprobe" } }, stringData: { "agent-token": "x" } }); }],
  ["schema: replicas as a string", "base", "schema:", (d) => { find(d, "Deployment", "netprobe-controller").spec.replicas = "two"; }],
  ["schema: container without a name", "sentinel", "schema:", (d) => { delete container(d, "Deployment", "netprobe-sentinel").name; }],
  ["a kind without a model", "base", "no schema model", (d) => { d.push({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "monitoring", labels: { [NAME]: "netprobe" } } }); }],
  ["image without registry and tag", "base", "REGISTRY/NAME:TAG", (d) => { container(d, "DaemonSet", "netprobe-agent").image = "netprobe"; }],
  ["program by bare name", "base", "command", (d) => { container(d, "DaemonSet", "netprobe-agent").command = ["netprobe-agent"]; }],
  ["sentinel egress allow", "sentinel", "restricts the sentinel's egress", (d) => { find(d, "NetworkPolicy", "netprobe-sentinel").spec.policyTypes = ["Ingress", "Egress"]; }],
  ["sentinel ClusterRole", "sentinel", "cluster-scoped", (d) => { d.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x", labels: { [NAME]: "netprobe" } }, rules: [] }); }],
  ["a peer pinned to monitoring", "base", "pinned to namespace monitoring", (d) => { find(d, "NetworkPolicy", "netprobe-agent").spec.ingress[0].from[1].namespaceSelector = { matchLabels: { [NS_LABEL]: "monitoring" } }; }],
  ["Alertmanager egress in the base", "base", "opens 9093/TCP", (d) => { find(d, "NetworkPolicy", "netprobe-controller").spec.egress.push({ to: [{ podSelector: {} }], ports: [{ port: 9093, protocol: "TCP" }] }); }],
  ["a metadata probe in the base", "base", "a metadata probe without a cloud component", (d) => { const cm = d.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("netprobe-agent-config")); cm.data["agent.yaml"] += "  - {name: metadata, type: metadata}\n"; }],
  ["the ad hoc API reaches the metadata endpoint", "base", "admits the metadata endpoint", (d) => { const cm = d.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("netprobe-controller-config")); cm.data["controller.yaml"] = cm.data["controller.yaml"].replace(/allow_cidrs: \[/, `allow_cidrs: ["${METADATA_ADDRESS}/32", `); }],
  ["a ClusterRole without watch", "base", 'no verb "watch"', (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].verbs = ["list"]; }],
  ["a ClusterRole with get, which the code never asks", "base", 'verb "get", which the controller does not use', (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].verbs.push("get"); }],
  ["a ClusterRole reading one more kind", "base", "the controller reads exactly", (d) => { find(d, "ClusterRole", "netprobe-controller").rules[0].resources.push("events"); }],
  ["a sentinel reporting to a pinned controller", "sentinel", "expected the controller's headless Service", (d) => { const c = container(d, "Deployment", "netprobe-sentinel"); c.args = c.args.map((a) => a.replace(".monitoring.", ".elsewhere.")); }],
  ["a sentinel admitting Prometheus from elsewhere", "sentinel", "admits Prometheus from namespace", (d) => { find(d, "NetworkPolicy", "netprobe-sentinel").spec.ingress[0].from[1].namespaceSelector.matchLabels[NS_LABEL] = "elsewhere"; }],
  ["a Namespace object", "base", "creates a Namespace", (d) => { d.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels: { [NAME]: "netprobe" } } }); }],
];

async function selftest(baseFile, sentinelFile) {
  const pristine = { base: readDocs(baseFile), sentinel: readDocs(sentinelFile) };
  const clean = await check(Object.entries(pristine).map(([variant, docs]) => ({ variant, docs })));
  if (clean.length) {
    console.log(`FAIL: the unmutated manifests are not clean:\n  ${clean.join("\n  ")}`);
    return 1;
  }
  let failed = 0;
  for (const [what, variant, expected, mutate] of MUTATIONS) {
    const docs = structuredClone(pristine[variant]);
    mutate(docs);
    const errors = await check([{ variant, docs }]);
    if (errors.some((e) => e.includes(expected))) console.log(`ok: mutation caught: ${what}`);
    else {
      failed++;
      console.log(`FAIL: mutation not caught: ${what} (expected an error containing "${expected}"; got ${errors.length ? errors.join("; ") : "none"})`);
    }
  }
  return failed ? 1 : 0;
}

// ---- plan: what each container would run --------------------------------------------------------

function readTree(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return {};
  }
  const tree = {};
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    tree[entry.name] = entry.isDirectory() ? readTree(path) : readFileSync(path, "utf8");
  }
  return tree;
}

function plan(outdir, sets) {
  const written = [];
  const seen = new Set();  // a container identical in two variants runs once
  for (const { variant, docs } of sets) {
    for (const doc of docs) {
      const template = podTemplate(doc);
      if (!template) continue;
      const spec = template.spec;
      for (const c of spec.containers) {
        const dir = join(outdir, `${variant}--${doc.metadata.name}--${c.name}`);
        const root = join(dir, "root");
        let argv = [...(c.command ?? []), ...(c.args ?? [])];
        for (const mount of c.volumeMounts ?? []) {
          const volume = spec.volumes.find((v) => v.name === mount.name);
          const files = {};
          if (volume.configMap) {
            const cm = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === volume.configMap.name);
            const items = volume.configMap.items ?? Object.keys(cm.data).map((key) => ({ key, path: key }));
            for (const item of items) files[item.path] = cm.data[item.key];
          } else if (volume.secret) {
            const items = volume.secret.items ?? ["agent-token", "api-token"].map((key) => ({ key, path: key }));
            for (const item of items) files[item.path] = `test-${item.key}-0123456789abcdef\n`;
          }
          for (const [path, content] of Object.entries(files)) {
            const target = join(root, mount.mountPath, path);
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, content);
          }
          argv = argv.map((arg) => arg.split(mount.mountPath).join(join(root, mount.mountPath)));
        }
        const env = (c.env ?? []).map((e) => {
          const field = e.valueFrom?.fieldRef?.fieldPath;
          const value = e.value ?? { "spec.nodeName": "test-node", "metadata.namespace": doc.metadata.namespace, "status.podIP": "127.0.0.1" }[field] ?? "";
          return `${e.name}=${value}`;
        });
        const port = c.ports?.[0]?.containerPort;
        const key = JSON.stringify([argv.map((a) => a.split(root).join("")), env, readTree(root)]);
        if (seen.has(key)) {
          rmSync(dir, { recursive: true, force: true });
          continue;
        }
        seen.add(key);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "argv"), argv.map((a) => a + "\0").join(""));
        writeFileSync(join(dir, "env"), env.map((e) => e + "\0").join(""));
        writeFileSync(join(dir, "port"), `${port}\n`);
        writeFileSync(join(dir, "liveness"), `${c.livenessProbe?.httpGet?.path ?? ""}\n`);
        writeFileSync(join(dir, "readiness"), `${c.readinessProbe?.httpGet?.path ?? ""}\n`);
        written.push(dir);
      }
    }
  }
  for (const dir of written) console.log(dir);
}

// ---- main ---------------------------------------------------------------------------------------

const [command, ...args] = process.argv.slice(2);
try {
  if (command === "check") {
    const sets = parseVariantArgs(args).map(({ variant, file }) => ({ variant, docs: readDocs(file) }));
    const errors = await check(sets);
    for (const { variant, docs } of sets) console.log(`${variant}: ${docs.length} objects (${[...new Set(docs.map((d) => d.kind))].join(", ")})`);
    for (const e of errors) console.log(`error: ${e}`);
    console.log(errors.length ? `${errors.length} error(s)` : "no errors");
    process.exit(errors.length ? 1 : 0);
  } else if (command === "rbac" && args.length === 1) {
    const docs = readDocs(args[0]);
    const role = find(docs, "ClusterRole", "netprobe-controller");
    const reads = codeReads();
    const granted = (role?.rules ?? []).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res} ${[...r.verbs].sort().join(",")}`))).sort();
    console.log(`the code reads (${reads.verbs.join(", ")}): ${reads.resources.join(" ")}`);
    console.log(`the ClusterRole grants: ${granted.join(" ")}`);
    const errors = [];
    checkRbac(docs, (doc, message) => errors.push(`${doc ? id(doc) + ": " : ""}${message}`), { core: true });
    for (const e of errors) console.log(`error: ${e}`);
    process.exit(errors.length ? 1 : 0);
  } else if (command === "selftest" && args.length === 2) {
    process.exit(await selftest(args[0], args[1]));
  } else if (command === "plan" && args.length >= 2) {
    plan(args[0], parseVariantArgs(args.slice(1)).map(({ variant, file }) => ({ variant, docs: readDocs(file) })));
  } else {
    console.error("usage: validate.mjs check VARIANT=FILE… | selftest BASE SENTINEL | plan OUTDIR VARIANT=FILE… | rbac BASE");
    process.exit(2);
  }
} catch (e) {
  console.error(`validate.mjs: ${e.stack ?? e}`);
  process.exit(2);
}
