package org.splitnve.nva.service.client;

import java.util.Optional;
import java.util.ServiceLoader;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.link.NvaLink;

/**
 * Makes an {@link NvaLink} of an NVA address given in the nNVE's configuration ({@code [nva] servers}), for the
 * schemes it knows. The HTTP binding (module {@code nva-http}) provides one for {@code http} and {@code https}
 * through {@link ServiceLoader}; without it a remote address is a configuration error ({@link #find}).
 */
public interface NvaLinkFactory {
    /** Whether this factory makes links of this URL's scheme. */
    boolean accepts(String url);

    /** A link to {@code url} for the nNVE {@code self}, authenticated with {@code token} (NVA-7). */
    NvaLink open(String url, NveId self, String token);

    /** The first factory on the class path or module path that accepts the URL. */
    static Optional<NvaLinkFactory> find(String url) {
        for (NvaLinkFactory f : ServiceLoader.load(NvaLinkFactory.class)) {
            if (f.accepts(url)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
