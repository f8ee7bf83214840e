"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: a service started detached on the CI host by a command continued over lines
(`docker compose \\` / `-f docker/docker-compose.app.yml \\` / `up -d`, in a Jenkinsfile with
CRLF line ends) was not read as one command, so the deploy stage deployed nothing.
The tests fail on the code before the fix; the near misses (the continued command pulling only,
or taken down again after its checks) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

JENKINSFILE = """
pipeline {
    agent any
    stages {
        stage('Test') {
            steps {
                sh 'pytest tests/'
            }
        }
        stage('Deploy') {
            when { branch 'main' }
            steps {
                sh '''
                    docker compose \\
                        --env-file .env \\
                        -f docker/docker-compose.yml \\
                        -f docker/docker-compose.app.yml \\
                        COMMAND
                '''
            }
        }
    }
}
"""


def _cd(tmp_path, command: str, crlf: bool = False) -> Outcome:
    text = JENKINSFILE.replace("COMMAND", command)
    if crlf:
        text = text.replace("\n", "\r\n")
    write(tmp_path, {"README.md": "# irrigation\n"})
    (tmp_path / "Jenkinsfile").write_bytes(text.encode())
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_a_continued_compose_up_leaves_the_service_running(tmp_path):
    assert _cd(tmp_path, "up -d") is Outcome.PASS


def test_a_continued_compose_up_with_crlf_line_ends_too(tmp_path):
    assert _cd(tmp_path, "up -d", crlf=True) is Outcome.PASS


def test_a_continued_compose_pull_deploys_nothing(tmp_path):
    # near miss: the same continued command only pulls the images
    assert _cd(tmp_path, "pull") is Outcome.FAIL


def test_a_continued_compose_up_taken_down_again_deploys_nothing(tmp_path):
    # near miss: the stack is started for the checks, then taken down
    assert _cd(tmp_path, "up -d\n                    docker compose down") is Outcome.FAIL
