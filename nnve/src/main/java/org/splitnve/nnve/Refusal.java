package org.splitnve.nnve;

/** Why the nNVE refuses a request: the VDP reason code, the reason-detail code and its text (SM-REASON). */
record Refusal(int code, int detail, String text) {
}
