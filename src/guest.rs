//! Operations layer: a micro-VM guest agent's network bring-up (placeholder, being
//! written).
