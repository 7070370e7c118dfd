#!/bin/sh
# Sample deploy target: Agent Ops passes the action, the version and the new version's share of traffic.
# SAMPLE_DEPLOY_SECONDS makes each step take that long, like a real rollout (try killing it, then Resume).
echo "${AGENTOPS_ACTION:-deploy}: support-bot ${AGENTOPS_VERSION:-$1} in ${AGENTOPS_ENV:-?} (new version at ${AGENTOPS_WEIGHT:-$2}% of traffic)"
sleep "${SAMPLE_DEPLOY_SECONDS:-0}"
