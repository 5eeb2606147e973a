#pragma once
// What the benchmarks share: the training benchmarks' command line (Shapeflow's and the optional
// PyTorch reference), medians, the peak resident memory, and one measurement per child process so
// that each peak is its own.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace bench {

/// One training measurement: samples/s (median of the epochs after the first), inference
/// samples/s (median of three passes) and the process's peak resident memory.
struct Throughput {
    double train = 0.0;
    double infer = 0.0;
    double peakMb = 0.0;
};

struct Options {
    int epochs = 4;
    int threads = 2;
    int rounds = 1;
    std::string model;     ///< a, b, mlp, lstm, tagger or textcnn; empty for all
    long long batch = 0;   ///< 32 or 256; 0 for both
    std::string reference; ///< the PyTorch side's program, run in turn with ours
};

inline Options parseOptions(int argc, char** argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char* key = argv[i];
        const char* value = argv[i + 1];
        if (!std::strcmp(key, "--epochs"))
            o.epochs = std::max(2, std::atoi(value));
        else if (!std::strcmp(key, "--threads"))
            o.threads = std::max(1, std::atoi(value));
        else if (!std::strcmp(key, "--rounds"))
            o.rounds = std::max(1, std::atoi(value));
        else if (!std::strcmp(key, "--model"))
            o.model = value;
        else if (!std::strcmp(key, "--batch"))
            o.batch = std::atoll(value);
        else if (!std::strcmp(key, "--reference"))
            o.reference = value;
        else {
            std::fprintf(stderr, "unknown option %s\n", key);
            std::exit(2);
        }
    }
    return o;
}

inline bool selected(const Options& o, const std::string& model, long long batch)
{
    return (o.model.empty() || o.model == model) && (!o.batch || o.batch == batch);
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

/// The median wall time of `runs` calls of `work`, in milliseconds.
template <typename Work> double medianMilliseconds(int runs, Work work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return median(std::move(times));
}

inline double peakMegabytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// Runs measure() in a forked child and hands its result back through a pipe.
template <typename Measure> Throughput inChild(Measure measure)
{
    int fds[2];
    if (pipe(fds) != 0)
        std::exit(1);
    std::fflush(stdout); // or the child prints the parent's buffered lines again
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        const Throughput t = measure();
        const bool whole = write(fds[1], &t, sizeof t) == static_cast<ssize_t>(sizeof t);
        _exit(whole ? 0 : 1);
    }
    close(fds[1]);
    Throughput t;
    const bool whole = read(fds[0], &t, sizeof t) == static_cast<ssize_t>(sizeof t);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!whole || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "a measurement's child process failed\n");
        std::exit(1);
    }
    return t;
}

/// The line a benchmark prints per measurement; the reference's line is read back by its fields.
inline void printThroughput(const char* side, const std::string& model, long long batch, const Throughput& t)
{
    std::printf("%-7s %-4s batch %4lld  train %9.0f samples/s  infer %10.0f samples/s  peak %6.1f MB\n", side,
                model.c_str(), batch, t.train, t.infer, t.peakMb);
    std::fflush(stdout);
}

inline bool parseThroughput(const std::string& line, Throughput& t)
{
    const auto at = line.find("train ");
    return at != std::string::npos &&
           std::sscanf(line.c_str() + at, "train %lf samples/s infer %lf samples/s peak %lf MB", &t.train, &t.infer,
                       &t.peakMb) == 3;
}

} // namespace bench
