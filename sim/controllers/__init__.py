"""The controllers, in the order one reconcile round runs them."""

from __future__ import annotations

from .base import Controller


def default_controllers() -> list[Controller]:
    from .daemonset import DaemonSetController
    from .deployment import DeploymentController
    from .endpoints import (EndpointsController, EndpointSliceController,
                            EndpointSliceMirroringController)
    from .gc import GarbageCollector
    from .heartbeat import HeartbeatController
    from .ingress import IngressStatusController
    from .job import JobController
    from .kubelet import Kubelet
    from .namespaces import NamespaceController
    from .replicaset import ReplicaSetController
    from .scheduler import Scheduler
    from .service_lb import ServiceLoadBalancerController
    from .servicecidr import ServiceCIDRController
    from .statefulset import StatefulSetController

    return [NamespaceController(), GarbageCollector(), DeploymentController(),
            ReplicaSetController(), StatefulSetController(), DaemonSetController(), JobController(),
            Scheduler(), Kubelet(),
            EndpointsController(), EndpointSliceController(),
            EndpointSliceMirroringController(), ServiceLoadBalancerController(),
            ServiceCIDRController(),
            IngressStatusController(), HeartbeatController()]


__all__ = ["Controller", "default_controllers"]
