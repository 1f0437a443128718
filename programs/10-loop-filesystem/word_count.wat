;; wc for file 0: prints the number of lines (newline bytes), words (maximal runs of bytes other than space,
;; tab and newline) and bytes.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $c i32) (local $lines i32) (local $words i32) (local $bytes i32) (local $in_word i32) (local $space i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (local.set $bytes (i32.add (local.get $bytes) (i32.const 1)))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
        (local.set $space (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32))
                                          (i32.eq (local.get $c) (i32.const 9)))
                                  (i32.eq (local.get $c) (i32.const 10))))
        (if (local.get $space)
          (then (local.set $in_word (i32.const 0)))
          (else
            (if (i32.eq (local.get $in_word) (i32.const 0))
              (then (local.set $words (i32.add (local.get $words) (i32.const 1)))))
            (local.set $in_word (i32.const 1))))
        (br $read)))
    (call $output (local.get $lines))
    (call $output (local.get $words))
    (call $output (local.get $bytes))
  )
)
