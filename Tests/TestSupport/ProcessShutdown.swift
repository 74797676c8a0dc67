import Foundation
import Testing

extension Process {
    /// Sends SIGTERM and waits at most `grace` for the process to exit, then SIGKILLs it and reaps it.
    ///
    /// Returns whether it exited on its own. Tests call this from `defer`, so it is synchronous; the bound matters more
    /// than the blocked thread: an unbounded `waitUntilExit()` on a cooperative-pool thread hung a whole `swift test`
    /// run once (the suite's time limit cannot fire while the thread is blocked).
    @discardableResult
    public func terminateGracefully(within grace: Duration = .seconds(20)) -> Bool {
        guard isRunning else { return true }
        terminate()
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        guard isRunning else { return true }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
        return false
    }

    /// Stops the process as a deployment would (SIGTERM); one that has not exited within 20 s is a failed shutdown,
    /// recorded as a test issue (and then killed).
    public func stopExpectingGracefulExit(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let exited = terminateGracefully()
        #expect(exited, "\(name) did not exit within 20 s of SIGTERM", sourceLocation: sourceLocation)
    }

    /// Kills the process at once (a crash) and reaps it.
    public func killNow() {
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}
