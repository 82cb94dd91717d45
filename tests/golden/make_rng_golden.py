"""Reference outputs of SplitMix64 and xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/) for
tests/MedAnomaly.Tests/Data/PhantomTests.cs. Run: /usr/bin/python3 tests/golden/make_rng_golden.py"""
M = (1 << 64) - 1

def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def xoshiro(seed, n):
    st, s = seed, []
    for _ in range(4):
        st, v = splitmix64(st)
        s.append(v)
    out = []
    for _ in range(n):
        out.append(rotl((s[1] * 5) & M, 7) * 9 & M)
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
    return out

print("splitmix64(0) first:", hex(splitmix64(0)[1]))
print("xoshiro256** seed 7:", ", ".join(f"0x{v:016X}UL" for v in xoshiro(7, 3)))
