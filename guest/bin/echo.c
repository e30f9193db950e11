/* echo [-n] [word...]: the words separated by one space, then a newline unless -n is given first. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  int i = 1, newline = 1;
  while (i < argc && strcmp(argv[i], "-n") == 0) newline = 0, i++;
  for (int first = i; i < argc; i++) {
    if (i > first) putchar(' ');
    fputs(argv[i], stdout);
  }
  if (newline) putchar('\n');
  return fflush(stdout) == 0 ? 0 : 1;
}
