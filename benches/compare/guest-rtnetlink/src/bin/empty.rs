//! An empty `main`: the baseline of the size benchmark.
fn main() {}
