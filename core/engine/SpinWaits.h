#pragma once

namespace sf {

/// The engine's OpenMP threads wait for their next parallel region by spinning: libgomp spins
/// 300,000 times (GOMP_SPINCOUNT) before it sleeps. On a machine whose cores other programs also
/// use, as a desktop's are, a spinning thread holds a core another thread of the same step needs:
/// seed model (b) trained 2.2-4.6k samples/s against 6.5-10k with GOMP_SPINCOUNT=1000 on this
/// project's 2 cores under load (bench_training --model b --batch 256, 3 interleaved pairs,
/// 2026-11-30), and at the same speed either way on a quiet machine (2026-11-29). libgomp reads its settings once, when
/// it is loaded, before main() runs, so a program can only shorten the spin by starting again with it set.
///
/// Called first thing in main(): when neither GOMP_SPINCOUNT nor OMP_WAIT_POLICY is set, sets
/// GOMP_SPINCOUNT=1000 and executes the program again (/proc/self/exe) with the same arguments; a
/// setting the user made is kept. Returns only when it did not restart (a setting was there, or
/// the exec failed, in which case the program runs on as it is).
void restartWithShortSpinWaits(char** argv);

} // namespace sf
