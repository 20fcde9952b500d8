//! Offline Dypnsapi emulator (in progress).
