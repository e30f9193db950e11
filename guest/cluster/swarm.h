/* The robot swarm's messages: a coordinator's command to a robot (by IPC to its endpoint "rbNN"), the robot's
 * answer, and a telemetry record a robot posts to the queue /swarm. */
#ifndef SWARM_H
#define SWARM_H
#define SWARM_QUEUE "/swarm"
#define SWARM_IDS_MAX 4096
enum { CMD_INCREMENT = 1, CMD_STOP = 2 };
struct command { unsigned op, id; int delta; };
struct answer { int speed; unsigned applied, duplicates; };
struct telemetry { unsigned robot, seq; int speed; };
static inline void robot_name(char out[5], unsigned robot) {
  out[0] = 'r'; out[1] = 'b'; out[2] = (char)('0' + robot / 10 % 10); out[3] = (char)('0' + robot % 10); out[4] = 0;
}
#endif
