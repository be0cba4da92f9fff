"""Randomly initialised Coqui models laid out like real ones, built offline.

Real Coqui weights only come from the network, so the tests (and bench/bench_speech.py,
for XTTS speed) build models with random weights in the exact folder layouts the
engine loads: a tiny 2-speaker VITS (`config.json`, `model.pth`, `speakers.json`)
and XTTS-v2's own architecture (`config.json`, `model.pth`, `vocab.json`,
`speakers_xtts.pth`, as in the hub repo coqui/XTTS-v2). Random weights babble, but
they go through every line of the loading and synthesis code, and their speed is
the real model's speed per second of audio.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np

GRAPHEMES = "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôûùüÿœæ'-"
TOKENIZER_TEXT = (
    "bonjour à tous et bienvenue dans cette émission où l'on parle d'énergie, de soleil, "
    "de graines, de vélo et de bien d'autres choses encore. le four solaire concentre la "
    "lumière ; les chercheurs mesurent des températures de plus de trois mille degrés."
)


def write_reference_wav(path: Path, pitch_hz: float = 180.0, seconds: float = 3.0, sr: int = 22050) -> Path:
    """A voiced-sounding harmonic tone with a syllable-rate envelope: enough to condition XTTS."""
    t = np.arange(int(seconds * sr)) / sr
    tone = sum(np.sin(2 * np.pi * pitch_hz * k * t) / k for k in range(1, 6))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 4.0 * t))
    samples = (0.25 * tone * envelope / np.max(np.abs(tone))).astype(np.float32)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())
    return path


def build_tiny_vits(folder: Path, speakers: tuple[str, ...] = ("camille", "thomas")) -> Path:
    """A 2-speaker VITS of ~0.3 M parameters reading graphemes (no phonemizer needed)."""
    import torch
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    folder.mkdir(parents=True, exist_ok=True)
    speakers_file = folder / "speakers.json"
    speakers_file.write_text(json.dumps({name: i for i, name in enumerate(speakers)}), encoding="utf-8")
    args = VitsArgs(
        hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=2,
        num_layers_text_encoder=1, num_layers_flow=1, num_layers_posterior_encoder=1,
        resblock_type_decoder="2", resblock_kernel_sizes_decoder=[3], resblock_dilation_sizes_decoder=[[1, 3]],
        # The decoder's upsampling (8 * 8 * 4) must equal the hop length.
        upsample_rates_decoder=[8, 8, 4], upsample_initial_channel_decoder=32,
        upsample_kernel_sizes_decoder=[16, 16, 8], use_speaker_embedding=True,
        speakers_file=str(speakers_file), speaker_embedding_channels=8, use_sdp=False,
        init_discriminator=False,
    )
    config = VitsConfig(
        model_args=args, add_blank=False, use_phonemes=False, text_cleaner="multilingual_cleaners",
        use_speaker_embedding=True, speakers_file=str(speakers_file),
        characters=CharactersConfig(characters_class="TTS.tts.models.vits.VitsCharacters", pad="_", eos="",
                                    bos="", blank=None, characters=GRAPHEMES, punctuations=".,;:!? ",
                                    phonemes=None),
    )
    config.audio.sample_rate = 22050
    config.audio.hop_length = 256
    config.audio.win_length = 1024
    config.audio.fft_size = 1024
    torch.manual_seed(0)
    model = Vits(config)
    torch.save({"model": model.state_dict(), "config": config.to_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder


def build_random_xtts(folder: Path, *, gpt_layers: int = 30, max_audio_tokens: int = 605,
                      speakers: dict[str, float] | None = None) -> Path:
    """XTTS-v2's architecture with random weights (30 GPT layers = the real 456 M parameters).

    `speakers` maps a built-in speaker name to the pitch of the reference tone its
    latents are computed from. Fewer layers and fewer audio tokens keep tests fast;
    the code path is the same.
    """
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from TTS.tts.configs.xtts_config import XttsConfig
    from TTS.tts.layers.xtts.tokenizer import VoiceBpeTokenizer
    from TTS.tts.models.xtts import Xtts

    speakers = speakers or {"Ana Florence": 220.0, "Damien Black": 100.0}
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator([TOKENIZER_TEXT], trainers.BpeTrainer(
        vocab_size=256, special_tokens=["[STOP]", "[UNK]", "[SPACE]", "[START]", "[fr]", "[en]"]))
    vocab = folder / "vocab.json"
    tokenizer.save(str(vocab))

    config = XttsConfig()
    config.model_args.tokenizer_file = str(vocab)
    config.model_args.gpt_number_text_tokens = tokenizer.get_vocab_size()
    config.model_args.gpt_layers = gpt_layers
    config.model_args.gpt_max_audio_tokens = max_audio_tokens
    config.model_args.gpt_use_perceiver_resampler = True      # as in XTTS-v2's own config.json
    torch.manual_seed(0)
    model = Xtts(config)
    model.tokenizer = VoiceBpeTokenizer(vocab_file=str(vocab))
    model.init_models()
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.model_args.tokenizer_file = ""     # a real folder finds vocab.json beside the config
    config.save_json(str(folder / "config.json"))

    model.eval()
    model.gpt.init_gpt_for_inference(kv_cache=True)
    table = {}
    for name, pitch in speakers.items():
        ref = write_reference_wav(folder / f".ref-{pitch:.0f}.wav", pitch)
        latent, embedding = model.get_conditioning_latents(audio_path=[str(ref)])
        table[name] = {"gpt_cond_latent": latent, "speaker_embedding": embedding}
        ref.unlink()
    torch.save(table, folder / "speakers_xtts.pth")
    return folder
