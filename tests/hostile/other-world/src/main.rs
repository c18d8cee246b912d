//! A plain wasi:cli command: a valid component, but not a scorecard.

fn main() {
    println!("not a scorecard");
}
