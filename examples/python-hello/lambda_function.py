import json
import logging
import os
import pathlib

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Read once per environment, from the deployment package.
GREETINGS = json.loads((pathlib.Path(__file__).parent / "greetings.json").read_text())


def lambda_handler(event, context):
    language = event.get("language", "en")
    name = event.get("name", "world")
    logger.info("greeting %s in %s", name, language)
    return {
        "message": f"{GREETINGS.get(language, GREETINGS['en'])}, {name}!",
        "requestId": context.aws_request_id,
        "runtime": os.environ["AWS_EXECUTION_ENV"],
    }
