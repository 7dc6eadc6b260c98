package org.splitnve.wire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.GoldenCapture;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * The totality harness fails on anything but a {@link DecodeException} (so SEC-4 properties can
 * fail), and the mutations do what they say.
 */
@Label("fixtures: totality harness and mutations")
class FixturesTest {

    @Example
    @Label("decodeOrRefuse passes values and DecodeExceptions through, and fails on any other throwable, with the input")
    void harnessFailsOnOtherThrowables() {
        byte[] input = {0x0A, (byte) 0xBC};
        String ok = Totality.decodeOrRefuse("ok", input, b -> "value");
        assertThat(ok).isEqualTo("value");
        String refused = Totality.<String>decodeOrRefuse("refused", input, b -> {
            throw new DecodeException(DecodeError.TRUNCATED, 2, "cut");
        });
        assertThat(refused).isNull();
        assertThatThrownBy(() -> Totality.<String>decodeOrRefuse("bad", input, b -> {
            throw new ArrayIndexOutOfBoundsException(5);
        })).isInstanceOf(AssertionError.class).hasMessageContaining("0abc").hasMessageContaining("ArrayIndexOutOfBounds");
        assertThatThrownBy(() -> Totality.<String>decodeOrRefuse("bad", input, b -> {
            throw new StackOverflowError();
        })).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Totality.<String>decodeOrRefuse("bad offset", input, b -> {
            throw new DecodeException(DecodeError.TRUNCATED, 3, "past the end");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("malformed DecodeException");
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Property(tries = 300)
    @Label("truncation shortens, insertion and appending lengthen, length corruption keeps TLV types")
    void mutationsDoWhatTheySay(@ForAll("mutations") List<Mutation> mutations) {
        byte[] frame = GoldenCapture.records().get(6).data().toArray();
        for (Mutation m : mutations) {
            List<LengthField> fields = LengthField.ofFrame(frame);
            byte[] out = m.apply(frame, fields);
            switch (m) {
                case Mutation.Truncate t -> assertThat(out.length).isLessThan(frame.length);
                case Mutation.Insert i -> assertThat(out.length).isEqualTo(frame.length + i.octets().length());
                case Mutation.Append a -> assertThat(out.length).isEqualTo(frame.length + a.octets().length());
                case Mutation.CorruptLength c -> {
                    assertThat(out.length).isEqualTo(frame.length);
                    for (LengthField f : fields) {
                        if (f.kind() == LengthField.Kind.TLV_HEADER) {
                            assertThat(out[f.offset()] & 0xFE).isEqualTo(frame[f.offset()] & 0xFE);
                        }
                    }
                }
                case Mutation.FlipBits f -> assertThat(out).hasSize(frame.length).isNotEqualTo(frame);
                default -> {
                }
            }
        }
    }

    @Example
    @Label("the length fields of a golden VDP request are its TLV headers and VSI entry count; "
            + "duplicating the Manager ID breaks its placement")
    void lengthFieldsOfGoldenFrame() throws DecodeException {
        byte[] frame = GoldenCapture.records().get(6).data().toArray();
        List<LengthField> fields = LengthField.ofFrame(frame);
        // Manager ID, VSI TLV, its entry count (lldpad sends no End TLV when the frame ends with the last TLV)
        assertThat(fields).extracting(LengthField::kind).containsExactly(LengthField.Kind.TLV_HEADER,
                LengthField.Kind.TLV_HEADER, LengthField.Kind.U16);
        assertThat(fields).extracting(LengthField::offset).containsExactly(18, 36, 38 + 23);
        assertThat(fields.getFirst().offset()).isEqualTo(18);
        byte[] twice = new Mutation.DuplicateTlv(0).apply(frame, fields);
        assertThatThrownBy(() -> FrameCodec.DEFAULT.decode(twice)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.error()).isEqualTo(DecodeError.MANAGER_ID_PLACEMENT));
        byte[] without = new Mutation.DropTlv(0).apply(frame, fields);
        assertThatThrownBy(() -> FrameCodec.DEFAULT.decode(without)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.error()).isEqualTo(DecodeError.MANAGER_ID_PLACEMENT));
        byte[] vdp = java.util.Arrays.copyOfRange(frame, 18, frame.length);
        assertThat(LengthField.ofVdp(vdp, 0)).extracting(LengthField::offset).containsExactly(0, 18, 20 + 23);
        assertThat(VdpCodec.DEFAULT.decode(vdp, 0, vdp.length).items()).hasSize(1);
    }
}
