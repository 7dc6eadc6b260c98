package org.splitnve.nva;

import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;

/**
 * The NVA's answer: {@link Allowed} with a value, or {@link Refused} with a reason (SEC-1, SEC-2,
 * SM-REASON). Switch on it; refusals are never exceptions.
 */
public sealed interface Decision<T> {

    record Allowed<T>(T value) implements Decision<T> {
        public Allowed {
            if (value == null) {
                throw new IllegalArgumentException("an allowed decision carries a value");
            }
        }
    }

    /** {@code detail}: what exactly was wrong (the address, the conflicting VN...), for logs and the reply. */
    record Refused<T>(Refusal reason, String detail) implements Decision<T> {
        public Refused {
            if (reason == null) {
                throw new IllegalArgumentException("a refusal has a reason");
            }
            detail = detail == null ? "" : detail;
        }

        /** Reason and detail in one line, cut to {@code maxOctets} of UTF-8 (255 fits the reason detail TLV). */
        public String text(int maxOctets) {
            String s = detail.isEmpty() ? reason.text() : reason.text() + ": " + detail;
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length <= maxOctets) {
                return s;
            }
            int end = maxOctets;
            while (end > 0 && (b[end] & 0xC0) == 0x80) { // never split a UTF-8 sequence
                end--;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }
    }

    static <T> Decision<T> allow(T value) {
        return new Allowed<>(value);
    }

    static <T> Decision<T> refuse(Refusal reason, String detail) {
        return new Refused<>(reason, detail);
    }

    default boolean isAllowed() {
        return this instanceof Allowed<T>;
    }

    /** The refusal reason, or null when allowed. */
    default Refusal refusal() {
        return this instanceof Refused<T> r ? r.reason() : null;
    }

    /** The value; throws when refused (for callers that know it cannot be, and for tests). */
    default T orElseThrow() {
        return switch (this) {
            case Allowed<T> a -> a.value();
            case Refused<T> r -> throw new NoSuchElementException(r.text(Integer.MAX_VALUE));
        };
    }
}
