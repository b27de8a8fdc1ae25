"""The schema every part of Gennaker speaks: applications, pipeline configs, executions, statuses.

Leaf of the layering (imports nothing else from gennaker). Pydantic v2 models; documents keep unknown
keys and return them unchanged, as Spinnaker's services do.
"""

from gennaker.model.application import Application
from gennaker.model.artifacts import Artifact, ArtifactResolutionError, ExpectedArtifact
from gennaker.model.execution import (
    Execution,
    ExecutionType,
    PausedDetails,
    StageExecution,
    SyntheticStageOwner,
    TaskExecution,
)
from gennaker.model.pipeline import (
    Notification,
    ParameterConfig,
    PipelineConfig,
    StageConfig,
    StageEnabled,
    Trigger,
)
from gennaker.model.status import (
    COMPLETE,
    CONTINUABLE,
    FAILURE,
    HALT,
    SUCCESSFUL,
    ExecutionStatus,
)
from gennaker.model.validation import (
    ConfigValidationError,
    ValidationIssue,
    graph_issues,
    parse_pipeline_config,
)

__all__ = [
    "COMPLETE",
    "CONTINUABLE",
    "FAILURE",
    "HALT",
    "SUCCESSFUL",
    "Application",
    "Artifact",
    "ArtifactResolutionError",
    "ConfigValidationError",
    "Execution",
    "ExecutionStatus",
    "ExecutionType",
    "ExpectedArtifact",
    "Notification",
    "ParameterConfig",
    "PausedDetails",
    "PipelineConfig",
    "StageConfig",
    "StageEnabled",
    "StageExecution",
    "SyntheticStageOwner",
    "TaskExecution",
    "Trigger",
    "ValidationIssue",
    "graph_issues",
    "parse_pipeline_config",
]
