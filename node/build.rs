//! Linker set-up for a Node-API addon (symbols resolved by the loading `node` process).

fn main() {
    napi_build::setup();
}
