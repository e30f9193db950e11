/* The smallest program the exec measurement can run: a static executable that exits 0 at once, the native
 * counterpart of the guest's own exec target. */
int main(void) { return 0; }
