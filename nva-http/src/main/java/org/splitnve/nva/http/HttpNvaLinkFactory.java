package org.splitnve.nva.http;

import java.net.URI;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.client.NvaLinkFactory;
import org.splitnve.nva.service.link.NvaLink;

/**
 * The HTTP binding's {@link NvaLinkFactory} (found through {@link java.util.ServiceLoader}): an {@code http://} or
 * {@code https://} address of {@code [nva] servers} becomes an {@link HttpNvaLink} with the nNVE's token. HTTPS
 * trusts what the JDK's default trust store trusts (docs/nva-api.md).
 */
public final class HttpNvaLinkFactory implements NvaLinkFactory {
    @Override
    public boolean accepts(String url) {
        return url.startsWith("http://") || url.startsWith("https://");
    }

    @Override
    public NvaLink open(String url, NveId self, String token) {
        return new HttpNvaLink(URI.create(url), token, null);
    }
}
