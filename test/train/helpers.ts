/** Shared fixtures of the training tests: one spec per layer kind (all small, run on the cpu backend). */
export const KIND_SPECS: readonly string[] = [
  // conv (dense, grouped, nobn), ir (expand, SE sigmoid/hsigmoid, groups, residual), skip (identity and conv), fc on a spatial map
  'in12x12x3/conv_k3_s2_c8_hs/conv_k3_s1_c8_g2_nobn/ir_k3_s1_e1_c8/ir_k5_s2_e4_c16_se0.25_hsig_hs/ir_k3_s1_e2.5_c16_se0.5/ir_k3_s1_e2_c16_g2_relu/skip_s1_c16/skip_s2_c24/gap/fc_c5_hs/fc_c5',
  // NAS-Bench-201 cells, reduction blocks, bnact, gap, classifier
  'in8x8x3/conv_k3_s1_c8_noact/nb201cell[|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|]/resblock_c16_s2/nb201cell[|none~0|+|none~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|]/resblock_c16_s1/bnact_relu/gap/fc_c4',
  // NATS size space cells (channel change and not), odd spatial sizes for SAME padding
  'in7x7x3/conv_k3_s1_c8_noact/natscell_c16/natscell_c16/resblock_c24_s2/natscell_c8/bnact_relu/gap/fc_c3',
  // fused MBConv: residual (e4), stride 2 with hard-swish (e2.5), e1, noskip, relu; odd spatial size
  'in9x9x3/conv_k3_s1_c8/fmb_k3_s1_e4_c8/fmb_k5_s2_e2.5_c16_hs/fmb_k3_s1_e1_c16/fmb_k7_s1_e2_c16_noskip_relu/gap/fc_c4',
];
