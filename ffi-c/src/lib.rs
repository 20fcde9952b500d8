//! C ABI for smsauth (in progress).
