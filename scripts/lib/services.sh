# shellcheck shell=bash
# The platform's four services on a running stack: provisioning, start, readiness, stop. Sourced by scripts/run
# and scripts/e2e after `eval "$(scripts/stack env …)"`; the services read the exported configuration.

SERVICES=(Gateway MessageConsumer MediaService SagaProcessor)
SERVICE_PIDS=()

# provision_platform BIN: migrations, one topic per schema, schema registration (all idempotent).
provision_platform() {
  local bin="$1"
  "$bin/substrate" migrate
  "$bin/substrate" topics create --partitions "${TOPIC_PARTITIONS:-3}" \
    --extra internal.message-consumer.dead-letter --extra internal.saga-processor.dead-letter \
    --extra internal.media-service.dead-letter
  "$bin/substrate" schemas register >/dev/null
}

# service_port NAME: the HTTP port the service listens on (API or health/metrics).
service_port() {
  case "$1" in
    Gateway) echo "$GATEWAY_PORT" ;;
    MessageConsumer) echo "$MESSAGE_CONSUMER_PORT" ;;
    MediaService) echo "$MEDIA_SERVICE_PORT" ;;
    SagaProcessor) echo "$SAGA_PROCESSOR_PORT" ;;
  esac
}

# start_services BIN LOG_DIR: starts the four services in the background, each logging to LOG_DIR/<name>.log,
# and waits until each answers /health/live. Extra configuration comes from the caller's environment.
start_services() {
  local bin="$1" log_dir="$2" service
  mkdir -p "$log_dir"
  for service in "${SERVICES[@]}"; do
    require_free_port "$service" "$(service_port "$service")"
    "$bin/$service" >>"$log_dir/$service.log" 2>&1 &
    SERVICE_PIDS+=("$!")
  done
  for service in "${SERVICES[@]}"; do
    wait_until "$service" 60 "$log_dir/$service.log" \
      curl -fsS -o /dev/null "http://127.0.0.1:$(service_port "$service")/health/live" || die "$service did not start"
  done
}

# stop_services: SIGTERM (graceful drain) to every service started here, then waits for them.
stop_services() {
  local pid
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVICE_PIDS=()
}
