#!/bin/sh
# Sample deploy target: Agent Ops passes the version and traffic weight.
echo "deploying support-bot ${AGENTOPS_VERSION:-$1} to ${AGENTOPS_ENV:-?} at ${AGENTOPS_WEIGHT:-$2}%"
