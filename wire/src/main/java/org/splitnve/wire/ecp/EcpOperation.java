package org.splitnve.wire.ecp;

/** ECP operation (2 bits of the ECP header). */
public enum EcpOperation {
    REQUEST(0),
    ACK(1);

    private final int code;

    EcpOperation(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
