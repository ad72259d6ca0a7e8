import FastCGIServer
import Testing

/// The serving threads per process when `--threads` is not given: about four per core across
/// all processes, 2…4 per process.
@Suite struct DefaultThreadsTests {
    @Test(arguments: [
        // (processes, cores, threads per process)
        (1, 2, 4), (2, 2, 4), (3, 2, 3), (4, 2, 2), (8, 2, 2),
        (1, 1, 4), (4, 1, 2),
        (1, 8, 4), (8, 8, 4), (16, 8, 2), (12, 8, 3),
    ])
    func threadsPerProcess(_ processes: Int, _ cores: Int, _ expected: Int) {
        #expect(FastCGIServerOptions.defaultThreads(processes: processes, cores: cores) == expected)
    }

    @Test func nonsenseInputStillGivesAUsableCount() {
        #expect(FastCGIServerOptions.defaultThreads(processes: 0, cores: 0) == 4)
        #expect(FastCGIServerOptions.defaultThreads(processes: 1000, cores: 0) == 2)
    }
}
