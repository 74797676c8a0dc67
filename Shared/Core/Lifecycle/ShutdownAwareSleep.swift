import ServiceLifecycle

extension Task where Success == Never, Failure == Never {
    /// Sleeps for `duration`, or less when graceful shutdown begins or the task is cancelled.
    ///
    /// For the pauses of periodic loops and back-offs in services: a plain `Task.sleep` is not woken by graceful
    /// shutdown, so the loop would hold up the process's drain for up to a whole interval (the saga housekeeping's
    /// 10 s pause kept SagaProcessors running for up to 10 s after SIGTERM, long enough for librdkafka to leave the
    /// group on its own mid-rebalance once `max.poll.interval.ms` passed without a poll).
    public static func sleepUnlessShuttingDown(for duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
