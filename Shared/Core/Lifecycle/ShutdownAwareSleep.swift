import ServiceLifecycle

extension Task where Success == Never, Failure == Never {
    /// Sleeps for `duration`, or less when graceful shutdown begins or the task is cancelled.
    ///
    /// For the pauses of periodic loops and back-offs in services: a plain `Task.sleep` is not woken by graceful
    /// shutdown, so the loop would hold up the process's drain for up to a whole interval (the MessageConsumer's lag
    /// reporter kept it running for up to 10 s after SIGTERM).
    public static func sleepUnlessShuttingDown(for duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
