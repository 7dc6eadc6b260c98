package org.splitnve.wire.vdp;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Per-VN or per-TSI parameters (RFC 8394 SM-EXT), attached to the VN connect or VSI TLV they
 * qualify. In a request: what the end device asks for (trusted mode); in a response: what the
 * nNVE applies (validated mode, SEC-2).
 *
 * <p>Body: a sequence of parameters, each type (1), length (1), value.
 */
public record ParameterTlv(List<Parameter> parameters) implements OrgTlv, ExtensionTlv {

    public ParameterTlv {
        parameters = List.copyOf(parameters);
        int len = 0;
        for (Parameter p : parameters) {
            len += 2 + p.value().length();
        }
        if (len > MAX_BODY) {
            throw new IllegalArgumentException("parameters need " + len + " octets, one TLV holds " + MAX_BODY);
        }
    }

    public static ParameterTlv of(Parameter... parameters) {
        return new ParameterTlv(List.of(parameters));
    }

    public Parameter find(int type) {
        for (Parameter p : parameters) {
            if (p.type() == type) {
                return p;
            }
        }
        return null;
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.PARAMETERS;
    }

    @Override
    public int bodyLength() {
        int len = 0;
        for (Parameter p : parameters) {
            len += 2 + p.value().length();
        }
        return len;
    }

    @Override
    public void encodeBody(WireWriter w) {
        for (Parameter p : parameters) {
            w.u8(p.type()).u8(p.value().length()).bytes(p.value());
        }
    }

    static ParameterTlv decodeBody(WireReader r) throws DecodeException {
        List<Parameter> list = new ArrayList<>();
        while (r.hasRemaining()) {
            int at = r.position();
            int type = r.u8("parameter type");
            if (type == 0) {
                throw r.errorAt(at, DecodeError.INVALID_FIELD, "parameter type 0 is reserved");
            }
            int len = r.u8("parameter length");
            int valueAt = r.position();
            Bytes value = Bytes.wrap(r.bytes(len, "parameter value"));
            String problem = Parameter.problem(type, value);
            if (problem != null) {
                throw r.errorAt(at, DecodeError.INVALID_FIELD, problem);
            }
            if (type == Parameter.VN_PROFILE || type == Parameter.VN_ALIAS) {
                try {
                    Text.read(new WireReader(value.toArray()), len, "parameter text");
                } catch (DecodeException e) {
                    // offsets count from the start of the decoder's buffer, not of the copied value
                    throw r.errorAt(valueAt + e.offset(), e.error(), e.detail());
                }
            }
            list.add(new Parameter(type, value));
        }
        return new ParameterTlv(list);
    }
}
