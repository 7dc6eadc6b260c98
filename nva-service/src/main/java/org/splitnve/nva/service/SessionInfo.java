package org.splitnve.nva.service;

/**
 * What an nNVE learns when it opens a session (docs/nva-protocol.md section 6): the history and revision the NVA is
 * at, how far its change log goes back, the last report of this nNVE it applied (the next report is
 * {@code lastReportSeq + 1}) and the revision the nNVE last acknowledged.
 */
public record SessionInfo(String historyId, long revision, long compactedThrough, long lastReportSeq,
        long acknowledged, NveRegistration registration) {
}
