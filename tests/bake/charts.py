"""Charts for bake tests, written as files and packaged/indexed with the real Helm SDK.

``web`` depends on ``redis`` (a chart from a chart repository); its templates exercise values files,
overrides (nested keys, list items, escaped dots), capabilities (kubeVersion, apiVersions), a CRD, a hook
and a test pod (which a bake must drop)."""

from __future__ import annotations

from pathlib import Path

WEB_TEMPLATES = {
    "deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
  annotations:
{{- range $k, $v := .Values.annotations }}
    {{ $k }}: {{ $v | quote }}
{{- end }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      containers:
      - name: web
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        env:
{{- range .Values.env }}
        - name: {{ .name }}
          value: {{ .value | quote }}
{{- end }}
""",
    "config.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  region: {{ .Values.region | quote }}
  kube: "{{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}"
  feature: {{ if .Values.feature.enabled }}"on"{{ else }}"off"{{ end }}
""",
    "monitor.yaml": """\
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {matchLabels: {app: {{ .Release.Name }}}}
{{- end }}
""",
    "migrate-job.yaml": """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
""",
    "tests/test-connection.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
  - name: wget
    image: busybox
""",
}

WEB_VALUES = """\
replicaCount: 1
image:
  repository: ghcr.io/acme/web
  tag: dev
env:
- name: MODE
  value: default
- name: LEVEL
  value: info
annotations: {}
region: none
feature:
  enabled: true
redis:
  replicaCount: 1
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.acme.io
spec:
  group: acme.io
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
"""

REDIS_TEMPLATE = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-redis
spec:
  replicas: {{ .Values.replicaCount }}
  serviceName: redis
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
      - name: redis
        image: docker.io/library/redis:7
"""


def write_chart(
    directory: Path,
    name: str,
    version: str,
    templates: dict[str, str],
    values: str,
    *,
    dependencies: list[dict[str, str]] | None = None,
    crds: dict[str, str] | None = None,
) -> Path:
    """A chart directory ``directory/name`` with Chart.yaml, values.yaml, templates/ and crds/."""
    chart = directory / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    lines = [f"apiVersion: v2\nname: {name}\nversion: {version}\ntype: application\n"]
    if dependencies:
        lines.append("dependencies:\n")
        for dep in dependencies:
            lines.append(
                f"- name: {dep['name']}\n  version: '{dep['version']}'\n  repository: {dep['repository']}\n"
            )
    (chart / "Chart.yaml").write_text("".join(lines))
    (chart / "values.yaml").write_text(values)
    for path, text in templates.items():
        target = chart / "templates" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for path, text in (crds or {}).items():
        (chart / "crds").mkdir(exist_ok=True)
        (chart / "crds" / path).write_text(text)
    return chart


def web_chart(directory: Path, dependency_repository: str, version: str = "0.1.0") -> Path:
    return write_chart(
        directory,
        "web",
        version,
        WEB_TEMPLATES,
        WEB_VALUES,
        dependencies=[{"name": "redis", "version": ">=1.0.0", "repository": dependency_repository}],
        crds={"widgets.yaml": CRD},
    )


def redis_chart(directory: Path, version: str = "1.2.0") -> Path:
    return write_chart(directory, "redis", version, {"statefulset.yaml": REDIS_TEMPLATE}, "replicaCount: 1\n")
