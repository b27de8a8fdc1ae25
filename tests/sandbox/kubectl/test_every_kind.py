"""Every built-in kind accepts a realistic manifest through kubectl (client-side apply, then server-side
apply of the same file, then an unchanged re-apply), and is listed with its columns."""

from __future__ import annotations

import pytest

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]

MANIFESTS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {password: s3cret}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: https, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        env: [{name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: sec, key: password}}}]
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      tolerations: [{operator: Exists}]
      containers:
      - name: agent
        image: busybox:1.36
        args: [sleep, "3600"]
        livenessProbe: {exec: {command: ["true"]}}
        volumeMounts: [{name: host, mountPath: /host, readOnly: true}]
      volumes: [{name: host, hostPath: {path: /}}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 1
  selector: {matchExpressions: [{key: app, operator: In, values: [rs]}]}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers: [{name: c, image: nginx, readinessProbe: {tcpSocket: {port: 80}}}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox, command: [date]}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
"""


def test_every_kind_applies_client_side_then_server_side(kubectl: Kubectl, ns: str) -> None:
    out = kubectl("apply", "-n", ns, "-f", "-", input=MANIFESTS)
    assert out.count(" created") == 14, out
    kubectl("rollout", "status", "sts/db", "-n", ns, "--timeout=60s")  # its controller is quiet from here on
    before = {
        o["metadata"]["name"] + o["kind"]: o["metadata"]["resourceVersion"]
        for o in kubectl.json("get", "secret,sts,pdb", "-n", ns)["items"]
    }
    again = kubectl("apply", "-n", ns, "-f", "-", input=MANIFESTS)
    # kubectl itself always re-sends Secret stringData, StatefulSet volumeClaimTemplates (an atomic list the
    # server defaults) and the PDB selector (patchStrategy replace): "configured", yet nothing changes
    assert again.count(" unchanged") == 11, again
    after = {
        o["metadata"]["name"] + o["kind"]: o["metadata"]["resourceVersion"]
        for o in kubectl.json("get", "secret,sts,pdb", "-n", ns)["items"]
    }
    assert before == after
    out = kubectl("apply", "--server-side", "--force-conflicts", "-n", ns, "-f", "-", input=MANIFESTS)
    assert out.count("serverside-applied") == 14, out
    listed = kubectl("get", "cm,secret,sa,svc,pvc,sts,ds,rs,cj,hpa,ing,netpol,pdb", "-n", ns, "-o", "name")
    for name in (
        "configmap/cfg",
        "secret/sec",
        "serviceaccount/robot",
        "service/web",
        "service/np",
        "persistentvolumeclaim/data",
        "statefulset.apps/db",
        "daemonset.apps/agent",
        "replicaset.apps/rs",
        "cronjob.batch/nightly",
        "horizontalpodautoscaler.autoscaling/web",
        "ingress.networking.k8s.io/web",
        "networkpolicy.networking.k8s.io/deny",
        "poddisruptionbudget.policy/web",
    ):
        assert name in listed
    np = kubectl.json("get", "svc", "np", "-n", ns)
    assert 30000 <= np["spec"]["ports"][0]["nodePort"] <= 32767
    assert kubectl.json("get", "secret", "sec", "-n", ns)["data"] == {"password": "czNjcmV0"}
    sts = kubectl.json("get", "sts", "db", "-n", ns)
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    # a StatefulSet may not change its serviceName
    proc = kubectl.fails(
        "apply", "-n", ns, "-f", "-", input=MANIFESTS.replace("serviceName: db", "serviceName: x")
    )
    assert "updates to statefulset spec for fields other than" in proc.stderr
    table = kubectl("get", "svc", "-n", ns)
    assert table.splitlines()[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert "80/TCP,443/TCP" in table
