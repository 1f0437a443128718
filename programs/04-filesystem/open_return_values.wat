;; fd_open returns f for files 0..3 and -1 for every other number (negative, 4, huge); reopening returns f again.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (func (export "main")
    (call $output (call $fd_open (i32.const 0)))            ;; 0
    (call $output (call $fd_open (i32.const 1)))            ;; 1
    (call $output (call $fd_open (i32.const 2)))            ;; 2
    (call $output (call $fd_open (i32.const 3)))            ;; 3
    (call $output (call $fd_open (i32.const 4)))            ;; -1
    (call $output (call $fd_open (i32.const -1)))           ;; -1
    (call $output (call $fd_open (i32.const 100)))          ;; -1
    (call $output (call $fd_open (i32.const 2147483647)))   ;; -1
    (call $output (call $fd_open (i32.const -2147483648)))  ;; -1
    (call $output (call $fd_open (i32.const 256)))          ;; -1: not truncated to a byte
    (call $output (call $fd_open (i32.const 2)))            ;; 2 again
  )
)
