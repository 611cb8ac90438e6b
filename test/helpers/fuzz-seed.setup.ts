import fc from 'fast-check';

// A failing property prints its seed; FUZZ_SEED=<seed> replays that run (the same generated requests in the same order).
if (process.env.FUZZ_SEED) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });
