package org.splitnve.wire.testing;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.splitnve.wire.Bytes;

/**
 * One change to an encoded message, for totality properties: decoders must refuse (or accept) the
 * result with a {@link org.splitnve.wire.DecodeException}, never anything else. Positions are taken
 * modulo the input's length, so every mutation applies to every non-empty input.
 */
public sealed interface Mutation {

    /**
     * Applies the mutation to a copy of {@code in}; {@code fields} are the length fields of
     * {@code in} (see {@link LengthField}).
     */
    byte[] apply(byte[] in, List<LengthField> fields);

    /** XORs one octet with a non-zero mask. */
    record FlipBits(int position, int mask) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[position % out.length] ^= (byte) mask;
            }
            return out;
        }
    }

    /** Overwrites one octet. */
    record Replace(int position, byte value) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[position % out.length] = value;
            }
            return out;
        }
    }

    /** Cuts the input to a strictly shorter length (possibly 0). */
    record Truncate(int position) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            return in.length == 0 ? in.clone() : Arrays.copyOf(in, position % in.length);
        }
    }

    /** Inserts octets at a position (possibly the end). */
    record Insert(int position, Bytes octets) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            int at = position % (in.length + 1);
            byte[] out = new byte[in.length + octets.length()];
            System.arraycopy(in, 0, out, 0, at);
            octets.copyTo(out, at);
            System.arraycopy(in, at, out, at + octets.length(), in.length - at);
            return out;
        }

        @Override
        public String toString() {
            return "Insert[position=" + position + ", octets=" + octets.hex() + "]";
        }
    }

    /** Removes up to {@code count} octets from a position. */
    record Delete(int position, int count) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            if (in.length == 0) {
                return in.clone();
            }
            int at = position % in.length;
            int n = Math.min(count, in.length - at);
            byte[] out = new byte[in.length - n];
            System.arraycopy(in, 0, out, 0, at);
            System.arraycopy(in, at + n, out, at, in.length - at - n);
            return out;
        }
    }

    /** Appends garbage. */
    record Append(Bytes octets) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            byte[] out = Arrays.copyOf(in, in.length + octets.length());
            octets.copyTo(out, in.length);
            return out;
        }

        @Override
        public String toString() {
            return "Append[" + octets.hex() + "]";
        }
    }

    /**
     * Corrupts a length or count field: sets it to {@code value}, nudges it by one either way, zeroes
     * it or sets it to its maximum ({@code how} 0..5).
     */
    record CorruptLength(int field, int how, long value) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            byte[] out = in.clone();
            if (fields.isEmpty()) {
                return out;
            }
            LengthField f = fields.get(field % fields.size());
            if (f.offset() + f.kind().width() > out.length) {
                return out;
            }
            long old = f.read(out);
            long v = switch (how % 6) {
                case 0 -> value;
                case 1 -> old + 1;
                case 2 -> old - 1;
                case 3 -> old + (value % 64);
                case 4 -> 0;
                default -> f.kind().max();
            };
            f.write(out, v);
            return out;
        }
    }

    /** Repeats a whole TLV right after itself (a second Manager ID, a second migration TLV...). */
    record DuplicateTlv(int field) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            List<LengthField> tlvs = fields.stream().filter(f -> f.kind() == LengthField.Kind.TLV_HEADER).toList();
            if (tlvs.isEmpty()) {
                return in.clone();
            }
            LengthField f = tlvs.get(field % tlvs.size());
            int start = f.offset();
            int end = (int) Math.min(in.length, start + 2 + f.read(in));
            byte[] tlv = Arrays.copyOfRange(in, start, end);
            return new Insert(end, Bytes.wrap(tlv)).apply(in, fields);
        }
    }

    /** Removes a whole TLV (the Manager ID, the TLV an attached one belongs to...). */
    record DropTlv(int field) implements Mutation {
        @Override
        public byte[] apply(byte[] in, List<LengthField> fields) {
            List<LengthField> tlvs = fields.stream().filter(f -> f.kind() == LengthField.Kind.TLV_HEADER).toList();
            if (tlvs.isEmpty()) {
                return in.clone();
            }
            LengthField f = tlvs.get(field % tlvs.size());
            int n = (int) Math.min(in.length - f.offset(), 2 + f.read(in));
            return new Delete(f.offset(), n).apply(in, fields);
        }
    }

    /** Applies {@code mutations} in turn, finding the length fields of each intermediate result anew. */
    static byte[] applyAll(List<Mutation> mutations, byte[] in, Function<byte[], List<LengthField>> fieldFinder) {
        byte[] b = in;
        for (Mutation m : mutations) {
            b = m.apply(b, fieldFinder.apply(b));
        }
        return b;
    }

    /** Any single mutation, length-field corruption weighted up. */
    @SuppressWarnings("unchecked")
    static Arbitrary<Mutation> any() {
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(pos, Arbitraries.integers().between(1, 255)).as(FlipBits::new)),
                Tuple.of(2, Combinators.combine(pos, Arbitraries.bytes()).as(Replace::new)),
                Tuple.of(2, pos.map(Truncate::new)),
                Tuple.of(1, Combinators.combine(pos, WireArbitraries.octets(1, 16).map(Bytes::wrap)).as(Insert::new)),
                Tuple.of(1, Combinators.combine(pos, Arbitraries.integers().between(1, 16)).as(Delete::new)),
                Tuple.of(1, WireArbitraries.octets(1, 64).map(Bytes::wrap).map(Append::new)),
                Tuple.of(4, Combinators.combine(pos, Arbitraries.integers().between(0, 5),
                        Arbitraries.longs().between(0, 0xFFFF_FFFFL)).as(CorruptLength::new)),
                Tuple.of(1, pos.map(DuplicateTlv::new)),
                Tuple.of(1, pos.map(DropTlv::new)));
    }

    /** One to four mutations. */
    static Arbitrary<List<Mutation>> lists() {
        return any().list().ofMinSize(1).ofMaxSize(4);
    }
}
