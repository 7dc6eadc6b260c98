package org.splitnve.dataplane.openflow;

/** What {@link OfCodec#decode} answers: a message with the version it came in, or a typed refusal. */
public sealed interface Decoded {
    record Ok(int version, OfMessage message) implements Decoded {
    }

    record Failed(OfDecodeFailure failure) implements Decoded {
    }
}
