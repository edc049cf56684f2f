//! Domain events of core, one file each; their types are re-exported here.
