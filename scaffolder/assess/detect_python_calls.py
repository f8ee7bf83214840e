"""The call table of `detect_python`: what a call names (qualified through the file's imports,
matched exactly or as the suffix after a dot) means, as a fact kind and the tool. Only data:
`detect_python` merges it with the tables of `practices/`, `detect_azureml` and
`detect_hydrosphere` and indexes it once; the rules in `checks/` read the kinds, never the tools.
"""

from __future__ import annotations

# qualified call (exact or suffix after a dot) -> (kind, tool)
CALLS: list[tuple[str, str, str]] = [
    # tracking and registries
    ("MLflowLoggerCallback", "track.run", "MLflow"),
    ("WandbLoggerCallback", "track.run", "W&B"),
    ("aiplatform.init", "track.run", "Vertex AI"),
    ("aiplatform.start_run", "track.run", "Vertex Experiments"),
    ("aiplatform.log_metrics", "track.run", "Vertex Experiments"),
    # a managed Vertex TensorBoard instance the training job writes to (`tensorboard=` of a
    # custom job): its runs are kept and compared outside the container, unlike local logs/
    ("aiplatform.Tensorboard", "track.run", "Vertex TensorBoard"),
    ("aiplatform.Tensorboard.create", "track.run", "Vertex TensorBoard"),
    ("RegisterModel", "registry.model", "SageMaker"),
    ("RegisterModel", "model.save", "SageMaker"),
    ("ModelStep", "registry.model", "SageMaker"),
    ("create_model_package", "registry.model", "SageMaker"),
    ("ModelPackageGroup", "registry.model", "SageMaker"),
    ("Model.upload", "registry.model", "Vertex AI"),
    ("upload_model", "registry.model", "Vertex AI"),
    ("link_model", "registry.model", "W&B"),
    ("link_artifact", "registry.model", "W&B"),
    # ZenML's MLflow integration steps: one registers the pipeline's model in the MLflow
    # registry, the other deploys a registered version (name and version from the registry)
    ("mlflow_register_model_step", "registry.model", "ZenML MLflow registry"),
    ("mlflow_model_registry_deployer_step", "registry.resolve", "ZenML MLflow registry"),
    # ZenML's Seldon integration serves the step's model on Seldon Core (Kubernetes)
    ("seldon_model_deployer_step", "serving.app", "ZenML Seldon Core"),
    ("seldon_model_deployer_step", "runtime.managed", "ZenML Seldon Core"),
    ("zenml.log_metadata", "track.run", "ZenML metadata"),
    # pipelinex's Kedro hooks log each run's parameters, metrics and artifacts to MLflow
    *(
        (f"pipelinex.{hook}", "track.run", "pipelinex MLflow hooks")
        for hook in (
            "MLflowBasicLoggerHook",
            "MLflowArtifactsLoggerHook",
            "MLflowDataSetsLoggerHook",
            "MLflowOutputsLoggerHook",
        )
    ),
    ("zenml.log_model_metadata", "track.run", "ZenML metadata"),
    ("zenml.log_artifact_metadata", "track.run", "ZenML metadata"),
    ("zenml.log_step_metadata", "track.run", "ZenML metadata"),
    # Lakehouse Monitoring on the serving endpoint's inference table (drift, quality metrics)
    ("quality_monitors.create", "drift.monitor", "Databricks Lakehouse Monitoring"),
    ("quality_monitors.create", "serving.monitor", "Databricks Lakehouse Monitoring"),
    # the SDK's earlier name for the same API
    ("lakehouse_monitors.create", "drift.monitor", "Databricks Lakehouse Monitoring"),
    ("lakehouse_monitors.create", "serving.monitor", "Databricks Lakehouse Monitoring"),
    # the dataset (source and digest, a Delta table's version) recorded with the run and model
    ("mlflow.log_input", "data.version", "MLflow dataset input"),
    ("serving_endpoints.create", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.create_and_wait", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.update_config", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.update_config_and_wait", "serving.app", "Databricks serving endpoint"),
    ("flytekit.CronSchedule", "pipeline.schedule", "Flyte"),
    ("flytekit.FixedRate", "pipeline.schedule", "Flyte"),
    ("list_model_packages", "registry.resolve", "SageMaker"),
    # a SageMaker ModelPackage is a version of the model registry: deploying it serves the
    # registered model (the approved one a CD script looked up)
    ("sagemaker.ModelPackage", "registry.resolve", "SageMaker Model Registry"),
    ("sagemaker.model.ModelPackage", "registry.resolve", "SageMaker Model Registry"),
    ("describe_model_package", "registry.resolve", "SageMaker"),
    ("Model.list", "registry.resolve", "Vertex AI"),
    # `aiplatform.Model(model_name=ID)` fetches a model of the Vertex Model Registry by its id
    ("aiplatform.Model", "registry.resolve", "Vertex AI Model Registry"),
    # Vertex AI training ops of Google Cloud Pipeline Components: each trains a model that Vertex
    # keeps as a Model resource of its registry, on managed compute; ModelDeployOp serves it
    ("AutoMLImageTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLImageTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLImageTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("ModelUploadOp", "registry.model", "Vertex AI Model Registry"),
    ("ModelDeployOp", "serving.app", "Vertex AI endpoint"),
    ("ModelDeployOp", "registry.resolve", "Vertex AI Model Registry"),
    # Azure Monitor alert rules created with the SDK
    ("scheduled_query_rules.create_or_update", "alert.rule", "Azure Monitor"),
    ("metric_alerts.create_or_update", "alert.rule", "Azure Monitor"),
    # Neptune keeps the trained model with the run (`run["model"] = get_pickled_model(m)`)
    ("neptune.integrations.sklearn.get_pickled_model", "model.save", "Neptune"),
    ("neptune.types.File.as_pickle", "model.save", "Neptune"),
    ("neptune.new.types.File.as_pickle", "model.save", "Neptune"),
    # pipelines
    ("clearml.PipelineController", "pipeline.def", "ClearML pipelines"),
    # Prefect 1: tasks called inside `with Flow(...) as flow:` make the flow's DAG
    ("prefect.Flow", "pipeline.def", "Prefect"),
    ("clearml.automation.PipelineController", "pipeline.def", "ClearML pipelines"),
    ("clearml.automation.controller.PipelineController", "pipeline.def", "ClearML pipelines"),
    ("sagemaker.workflow.pipeline.Pipeline", "pipeline.def", "SageMaker Pipelines"),
    # managed pipelines record every run's parameters, metrics and artifacts
    ("sagemaker.workflow.pipeline.Pipeline", "track.run", "SageMaker Pipelines"),
    ("tfx.orchestration.pipeline.Pipeline", "track.run", "TFX ML Metadata"),
    ("aws_cdk.aws_sagemaker.CfnPipeline", "pipeline.def", "SageMaker Pipelines"),
    ("azureml.pipeline.core.Pipeline", "pipeline.def", "Azure ML pipelines"),
    ("azureml.pipeline.core.graph.Pipeline", "pipeline.def", "Azure ML pipelines"),
    ("tfx.orchestration.pipeline.Pipeline", "pipeline.def", "TFX"),
    ("tfx.v1.dsl.Pipeline", "pipeline.def", "TFX"),
    ("kedro.pipeline.Pipeline", "pipeline.def", "Kedro"),
    ("kedro.pipeline.pipeline", "pipeline.def", "Kedro"),
    ("kedro.pipeline.modular_pipeline.pipeline", "pipeline.def", "Kedro"),
    ("dagster.Definitions", "pipeline.def", "Dagster"),
    ("dagster.define_asset_job", "pipeline.def", "Dagster"),
    ("mlflow.recipes.Recipe", "pipeline.def", "MLflow Recipes"),
    ("mlflow.recipes.Recipe", "registry.model", "MLflow Recipes"),
    ("aiplatform.PipelineJob", "pipeline.def", "Vertex AI Pipelines"),
    ("aws_cdk.aws_stepfunctions.StateMachine", "pipeline.def", "Step Functions"),
    ("stepfunctions.workflow.Workflow", "pipeline.def", "Step Functions"),
    ("start_pipeline_execution", "retrain.function", "SageMaker"),
    ("dagster.ScheduleDefinition", "pipeline.schedule", "Dagster"),
    ("dagster.build_schedule_from_partitioned_job", "pipeline.schedule", "Dagster"),
    ("aws_events.Schedule.expression", "pipeline.schedule", "EventBridge"),
    ("aws_events.Schedule.cron", "pipeline.schedule", "EventBridge"),
    ("aws_events.Schedule.rate", "pipeline.schedule", "EventBridge"),
    ("PipelineJob.create_schedule", "pipeline.schedule", "Vertex AI"),
    ("CronSchedule", "pipeline.schedule", "Prefect"),
    # validation
    ("ExampleValidator", "validation.data", "TFX"),
    ("SchemaGen", "validation.schema", "TFX"),
    ("ImportSchemaGen", "validation.schema", "TFX"),
    ("tensorflow_data_validation.validate_statistics", "validation.schema", "TFDV"),
    ("DataQualityCheckConfig", "validation.data", "SageMaker"),
    ("DataQualityCheckConfig", "validation.schema", "SageMaker"),
    ("ModelQualityCheckConfig", "validation.model", "SageMaker"),
    ("ClarifyCheckStep", "validation.model", "SageMaker Clarify"),
    ("ConditionStep", "validation.gate", "SageMaker"),
    ("MetricThreshold", "validation.gate", "threshold"),
    ("GenericValueThreshold", "validation.gate", "TFMA"),
    ("Evaluator", "eval.step", "TFX"),
    ("TestSuite", "validation.data", "Evidently"),
    # Deepchecks' data-integrity suite (nulls, duplicates, mixed types, conflicting labels) run
    # on the training data, directly or as ZenML's integration step
    ("deepchecks.tabular.suites.data_integrity", "validation.data", "Deepchecks"),
    ("deepchecks.suites.data_integrity", "validation.data", "Deepchecks"),
    ("deepchecks_data_integrity_check_step", "validation.data", "Deepchecks"),
    # drift and monitoring
    # a stream consumer: with a model loaded beside it, the process serves predictions
    ("kafka.KafkaConsumer", "stream.consumer", "Kafka"),
    ("confluent_kafka.Consumer", "stream.consumer", "Kafka"),
    ("DefaultModelMonitor", "drift.monitor", "SageMaker Model Monitor"),
    ("CfnMonitoringSchedule", "drift.monitor", "SageMaker Model Monitor"),
    ("CfnMonitoringSchedule", "serving.monitor", "SageMaker Model Monitor"),
    ("create_monitoring_schedule", "serving.monitor", "SageMaker Model Monitor"),
    ("ModelDeploymentMonitoringJob", "drift.monitor", "Vertex model monitoring"),
    ("ModelDeploymentMonitoringJob", "serving.monitor", "Vertex model monitoring"),
    # the SDK's factory (`aiplatform.ModelDeploymentMonitoringJob.create(endpoint=...)`)
    ("ModelDeploymentMonitoringJob.create", "drift.monitor", "Vertex model monitoring"),
    ("ModelDeploymentMonitoringJob.create", "serving.monitor", "Vertex model monitoring"),
    ("CfnAlarm", "alert.rule", "CloudWatch"),
    ("aws_cloudwatch.Alarm", "alert.rule", "CloudWatch"),
    ("put_metric_alarm", "alert.rule", "CloudWatch"),
    ("put_metric_data", "metrics.export", "CloudWatch"),
    # deployment
    ("aws_cdk.aws_sagemaker.CfnEndpoint", "serving.app", "SageMaker endpoint"),
    ("create_endpoint", "serving.app", "SageMaker endpoint"),
    ("Endpoint.create", "serving.app", "Vertex AI endpoint"),
    ("ManagedOnlineDeployment", "serving.app", "Azure ML endpoint"),
    ("ManagedOnlineEndpoint", "serving.app", "Azure ML endpoint"),
    ("bentoml.Service", "serving.app", "BentoML"),
    ("AutoRollbackConfiguration", "deploy.progressive", "SageMaker"),
    ("BlueGreenUpdatePolicy", "deploy.progressive", "SageMaker"),
    ("TrafficRoutingConfig", "deploy.progressive", "SageMaker"),
    # managed job environments
    ("sagemaker.estimator.Estimator", "runtime.managed", "SageMaker"),
    # the framework estimators (SKLearn, PyTorch, TensorFlow, XGBoost, Hugging Face) run the
    # entry point as a SageMaker training job in the framework's managed container
    *(
        (f"sagemaker.{module}{suffix}.{name}", "runtime.managed", "SageMaker")
        for module, name in (
            ("sklearn", "SKLearn"),
            ("pytorch", "PyTorch"),
            ("tensorflow", "TensorFlow"),
            ("xgboost", "XGBoost"),
            ("huggingface", "HuggingFace"),
            ("mxnet", "MXNet"),
        )
        for suffix in ("", ".estimator")
    ),
    ("sagemaker.processing.ScriptProcessor", "runtime.managed", "SageMaker"),
    ("sagemaker.sklearn.processing.SKLearnProcessor", "runtime.managed", "SageMaker"),
    ("sagemaker.workflow.steps.TrainingStep", "runtime.managed", "SageMaker"),
    ("sagemaker.workflow.steps.ProcessingStep", "runtime.managed", "SageMaker"),
    ("aiplatform.CustomJob", "runtime.managed", "Vertex AI"),
    # Dagster Pipes clients run the asset's code as a job of the managed service
    ("dagster_aws.pipes.PipesEMRServerlessClient", "runtime.managed", "EMR Serverless"),
    ("dagster_aws.pipes.PipesEMRClient", "runtime.managed", "EMR"),
    ("dagster_aws.pipes.PipesECSClient", "runtime.managed", "ECS"),
    ("dagster_aws.pipes.PipesGlueClient", "runtime.managed", "Glue"),
    ("aiplatform.CustomTrainingJob", "runtime.managed", "Vertex AI"),
    ("aiplatform.CustomContainerTrainingJob", "runtime.managed", "Vertex AI"),
    # CodePipeline defined with the CDK
    ("aws_codepipeline.Pipeline", "ci.codepipeline", "CodePipeline"),
    ("aws_codepipeline_actions.ManualApprovalAction", "approval.gate", "CodePipeline"),
    (
        "aws_codepipeline_actions.CloudFormationCreateUpdateStackAction",
        "ci.step.deploy",
        "CodePipeline",
    ),
    ("aws_codepipeline_actions.CodeDeployServerDeployAction", "ci.step.deploy", "CodeDeploy"),
    ("aws_codepipeline_actions.EcsDeployAction", "ci.step.deploy", "CodePipeline"),
    # the platform library mlops-scaffold's projects depend on (mlops-scaffold-runtime): its
    # serving app has /predict, /health and /metrics, its validation runs GX checkpoints built
    # from the project's declared contract, its registry helpers resolve the alias to serve
    ("mlops_runtime.serving.app.create_app", "serving.app", "mlops-scaffold-runtime"),
    ("mlops_runtime.serving.app.create_app", "serving.monitor", "mlops-scaffold-runtime"),
    ("mlops_runtime.validation.run_checkpoint", "validation.contract_runner", "Great Expectations"),
    ("mlops_runtime.validation.validate_frame", "validation.contract_runner", "Great Expectations"),
    ("mlops_runtime.serving.app.create_app", "serving.from_registry", "mlops-scaffold-runtime"),
    ("mlops_runtime.registry.champion_info", "registry.alias_lookup", "MLflow"),
    # model cards
    ("huggingface_hub.ModelCard", "model_card.generator", "Hugging Face"),
    ("sagemaker.model_card.ModelCard", "model_card.generator", "SageMaker"),
    ("model_card_toolkit", "model_card.generator", "Model Card Toolkit"),
]
