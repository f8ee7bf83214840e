"""CloudWatch alarms on what serves the model, defined in Python (CDK `Alarm`/`CfnAlarm`,
boto3 `put_metric_alarm`): an alarm whose metric is a SageMaker endpoint's invocation errors or
latency (`Invocation5XXErrors`, `ModelLatency`, named in the call or in the metric helper it
calls) or an API Gateway's (`AWS/ApiGateway`) watches the serving side, as the same alarm in
Terraform does (parse_terraform). An alarm on a custom metric (a PSI a monitoring job puts) or
on a pipeline's failures is an alert rule only."""

from __future__ import annotations

import ast
import re

ALARM_CALLS = re.compile(r"(^|\.)(Alarm|CfnAlarm|put_metric_alarm)$")
SERVING_METRIC = re.compile(
    r"^(Invocation[45]XXErrors|ModelLatency|OverheadLatency|AWS/ApiGateway)$"
)


def serving_alarm(visitor, node: ast.Call, qualified: str, last: str) -> None:
    if not ALARM_CALLS.search(qualified):
        return
    if last != "put_metric_alarm" and not visitor.uses("aws_cdk"):
        return
    names = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant)]
    metric = next((n for n in names if isinstance(n, str) and SERVING_METRIC.match(n)), None)
    if metric:
        visitor.add("serving.monitor", node, tool="CloudWatch", metric=metric)
