package org.splitnve.config;

import java.net.InetAddress;
import org.splitnve.wire.IpText;

/**
 * IP address literals in the configuration ({@code [api] listen}), parsed without a name lookup by the
 * same parser as every other address an operator writes ({@link IpText}). Total: an address or null.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    public static InetAddress parse(String s) {
        return IpText.parseOrNull(s);
    }
}
